"""WSGI entry: `gunicorn -w 1 --threads 16 standins.wsgi:app` (one process: state is in memory)."""

import logging

from standins.app import create_app

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
app = create_app()
