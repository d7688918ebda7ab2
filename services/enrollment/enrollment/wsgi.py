"""Gunicorn entry: gunicorn enrollment.wsgi:app."""

from enrollment.app import create_app

app = create_app()
