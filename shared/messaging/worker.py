"""Build a service's Celery worker app from its event handlers."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from celery import Celery
from celery.signals import worker_init, worker_process_shutdown

from shared.config import load_settings
from shared.messaging.celery_app import make_worker_app
from shared.messaging.consumer import Consumer, register_consumer
from shared.messaging.liveness import watch_queue
from shared.messaging.routing import EventHandler
from shared.metrics.exposition import mark_process_dead, multiprocess_dir, serve_process_metrics
from shared.runtime import Runtime

log = logging.getLogger(__name__)


def build_worker(service: str, handlers: Callable[[Runtime], Mapping[str, EventHandler]]) -> Celery:
    """`celery -A <service>.worker worker -Q <service>.events` runs what this returns."""
    runtime = Runtime(load_settings(service))
    app = make_worker_app(runtime.settings)
    consumer = Consumer(runtime, handlers(runtime))
    register_consumer(app, consumer)
    expose_metrics(consumer)
    return app


def expose_metrics(consumer: Consumer) -> None:
    """The main process serves the metrics of its whole pool. Before the pool forks, it empties
    the multi-process directory, starts watching its queue, opens METRICS_PORT (the metrics and
    `GET /live`, see shared.messaging.liveness) and starts the consumer's series at zero
    (nothing may count before the directory is emptied). A pool process that exits gives up its
    live gauges; its counts stay in the totals."""
    settings = consumer.runtime.settings

    def _serve(**_: Any) -> None:
        if settings.metrics.port is not None and multiprocess_dir() is None:
            log.warning(
                "PROMETHEUS_MULTIPROC_DIR is not set: the pool processes' counts will not be served"
            )
        watch = watch_queue(
            settings.service, consumer.runtime.redis, settings.messaging.worker_stall_seconds
        )
        serve_process_metrics(settings.metrics, f"{settings.service}-worker", watch.check)
        consumer.declare_metrics()

    def _forget(pid: int | None = None, **_: Any) -> None:
        if pid is not None:
            mark_process_dead(pid)

    worker_init.connect(_serve, weak=False)
    worker_process_shutdown.connect(_forget, weak=False)
