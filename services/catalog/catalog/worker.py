"""Celery entry: celery -A catalog.worker worker -Q catalog.events."""

from catalog.bootstrap import event_handlers
from shared.messaging.worker import build_worker

app = build_worker("catalog", event_handlers)
