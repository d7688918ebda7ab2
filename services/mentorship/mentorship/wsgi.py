"""Gunicorn entry: gunicorn mentorship.wsgi:app."""

from mentorship.app import create_app

app = create_app()
