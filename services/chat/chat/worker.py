"""Celery entry: celery -A chat.worker worker -Q chat.events."""

from chat.bootstrap import event_handlers
from shared.messaging.worker import build_worker

app = build_worker("chat", event_handlers)
