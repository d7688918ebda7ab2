"""Celery entry: celery -A notifications.worker worker -Q notifications.events."""

from notifications.bootstrap import event_handlers
from shared.messaging.worker import build_worker

app = build_worker("notifications", event_handlers)
