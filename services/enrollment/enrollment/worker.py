"""Celery entry: celery -A enrollment.worker worker -Q enrollment.events."""

from enrollment.bootstrap import event_handlers
from shared.messaging.worker import build_worker

app = build_worker("enrollment", event_handlers)
