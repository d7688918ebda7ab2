"""Gunicorn entry (gevent worker): gunicorn -k gevent chat.wsgi:app."""

import gc

from chat.app import create_app

app = create_app()
# What the app holds from here on (botocore's service models, Flask, every import) is never
# garbage. Frozen, a full collection no longer walks it: with a thousand sockets open, those
# passes stopped every room of the process for 0.2-0.9 s at a time.
gc.collect()
gc.freeze()
