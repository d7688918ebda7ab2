"""gunicorn entry point: `gunicorn -k gthread -w 2 --threads 16 gateway.wsgi:app` on port 8080."""

from gateway.app import create_app

app = create_app()
