"""Celery apps for at-least-once delivery on Redis: acked late, redelivered if a worker dies."""

from __future__ import annotations

from typing import Any

from celery import Celery
from celery.signals import setup_logging

from shared.config import Settings
from shared.events.subscriptions import queue_name
from shared.logs import configure_logging
from shared.messaging.redis_transport import TRANSPORT


def task_time_limits(visibility_timeout: int) -> tuple[int, int]:
    """(soft, hard) seconds: a task ends well inside the visibility timeout, so Redis never
    hands a message to a second worker while the first still runs it. The soft limit raises in
    the handler (a failure: retried); the hard one kills the pool process (the message is
    rejected and redelivered)."""
    hard = max(2, visibility_timeout * 2 // 3)
    return max(1, hard - max(1, hard // 4)), hard


def _common(settings: Settings) -> dict[str, Any]:
    soft, hard = task_time_limits(settings.messaging.visibility_timeout)
    return {
        "broker_transport": TRANSPORT,
        "task_soft_time_limit": soft,
        "task_time_limit": hard,
        "task_serializer": "json",
        "accept_content": ["json"],
        "result_serializer": "json",
        "task_ignore_result": True,
        "result_backend": None,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_acks_on_failure_or_timeout": True,
        "worker_prefetch_multiplier": 1,
        "worker_hijack_root_logger": False,
        "broker_connection_retry_on_startup": True,
        "task_create_missing_queues": True,
    }


def make_worker_app(settings: Settings) -> Celery:
    """The consuming app of one service: it reads only that service's queue."""
    app = Celery(settings.service, broker=settings.messaging.redis_url)
    app.conf.update(
        **_common(settings),
        task_default_queue=queue_name(settings.service),
        broker_transport_options={
            "visibility_timeout": settings.messaging.visibility_timeout,
            # kombu's default sweep for messages of dead workers runs every 10 s x 10 calls;
            # sweep every few seconds instead, so redelivery follows the visibility timeout.
            "unacked_restore_interval": max(1, min(10, settings.messaging.visibility_timeout // 3)),
            "unacked_restore_throttle": 1,
            "unacked_mutex_expire": 30,
            # One list per queue (nothing is published with a priority), so that a message is
            # taken by claim (redis_transport.py).
            "priority_steps": [0],
            "socket_keepalive": True,
            "health_check_interval": 10,
        },
    )

    def _logging(**_: Any) -> None:
        configure_logging(f"{settings.service}-worker", settings.log_level)

    setup_logging.connect(_logging, weak=False)

    return app


def make_publisher_app(settings: Settings) -> Celery:
    """A producing-only app that fails fast: a request never hangs on a dead broker."""
    timeout = settings.messaging.dispatch_timeout
    app = Celery(f"{settings.service}-publisher", broker=settings.messaging.redis_url)
    app.conf.update(
        **_common(settings),
        broker_connection_timeout=timeout,
        broker_connection_max_retries=0,
        broker_pool_limit=16,
        broker_transport_options={
            "socket_connect_timeout": timeout,
            "socket_timeout": timeout,
            "max_retries": 0,
            "visibility_timeout": settings.messaging.visibility_timeout,
        },
    )
    return app
