"""Celery entry: celery -A billing.worker worker -Q billing.events."""

from billing.bootstrap import event_handlers
from shared.messaging.worker import build_worker

app = build_worker("billing", event_handlers)
