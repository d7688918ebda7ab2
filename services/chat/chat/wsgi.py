"""Gunicorn entry (gevent worker): gunicorn -k gevent chat.wsgi:app."""

from chat.app import create_app

app = create_app()
