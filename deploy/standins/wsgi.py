"""WSGI entry: `gunicorn -w 1 --threads 16 standins.wsgi:app` (one process: state is in memory)."""

from standins.app import create_app

app = create_app()
