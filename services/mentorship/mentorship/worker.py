"""Celery entry: celery -A mentorship.worker worker -Q mentorship.events."""

from mentorship.bootstrap import event_handlers
from shared.messaging.worker import build_worker

app = build_worker("mentorship", event_handlers)
