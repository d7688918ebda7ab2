"""Build a service's Celery worker app from its event handlers."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from celery import Celery

from shared.config import load_settings
from shared.messaging.celery_app import make_worker_app
from shared.messaging.consumer import Consumer, EventHandler, register_consumer
from shared.runtime import Runtime


def build_worker(service: str, handlers: Callable[[Runtime], Mapping[str, EventHandler]]) -> Celery:
    """`celery -A <service>.worker worker -Q <service>.events` runs what this returns."""
    runtime = Runtime(load_settings(service))
    app = make_worker_app(runtime.settings)
    register_consumer(app, Consumer(runtime, handlers(runtime)))
    return app
