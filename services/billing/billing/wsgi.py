"""Gunicorn entry: gunicorn billing.wsgi:app."""

from billing.app import create_app

app = create_app()
