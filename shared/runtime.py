"""The adapters every service process needs, built once from settings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

import redis

from shared.config import Settings
from shared.dynamo.client import dynamodb_client
from shared.events.subscriptions import queue_name, subscribed_types
from shared.messaging.celery_app import make_publisher_app
from shared.messaging.outbox import OutboxDispatcher
from shared.messaging.publisher import Publisher
from shared.messaging.unit_of_work import UnitOfWork
from shared.metrics.state import OutboxLag, QueueDepth


@dataclass
class Runtime:
    """DynamoDB client, own table name, publisher and outbox dispatcher of one service."""

    settings: Settings

    @cached_property
    def dynamodb(self) -> Any:
        return dynamodb_client(
            self.settings.aws, scan_guard=self.settings.dynamo_guard, service=self.settings.service
        )

    @property
    def table(self) -> str:
        return self.settings.table_name()

    @cached_property
    def publisher(self) -> Publisher:
        return Publisher(make_publisher_app(self.settings))

    @cached_property
    def dispatcher(self) -> OutboxDispatcher:
        return OutboxDispatcher(self.dynamodb, self.table, self.publisher)

    @cached_property
    def cache_redis(self) -> redis.Redis | None:
        """The disposable cache Redis (`CACHE_REDIS_URL`), bytes in and out; None when unset or
        when it names the broker's instance, whose memory the queued events need."""
        url = self.settings.cache_redis_url
        if url is None or _instance(url) == _instance(self.settings.messaging.redis_url):
            return None
        return redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    @cached_property
    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(
            self.settings.messaging.redis_url, socket_timeout=1, socket_connect_timeout=1
        )

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.dynamodb, self.table, self.settings.service, self.dispatcher)

    def readiness_checks(self) -> dict[str, Callable[[], None]]:
        return {
            "dynamodb": lambda: self.dynamodb.describe_table(TableName=self.table),
            "redis": lambda: self.redis.ping(),
        }

    def state_metrics(self) -> Sequence[OutboxLag | QueueDepth]:
        """Gauges read at scrape time: the outbox's lag and, for a consumer, its queue's depth."""
        service = self.settings.service
        gauges: list[OutboxLag | QueueDepth] = [
            OutboxLag(
                service,
                lambda: dynamodb_client(self.settings.aws, quick=True, service=service),
                self.table,
            )
        ]
        if subscribed_types(service):
            gauges.append(QueueDepth(queue_name(service), lambda: self.redis))
        return gauges


LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


def _instance(url: str) -> tuple[str, int]:
    """The host and port a Redis URL names (two databases of one instance share its memory)."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    return ("loopback" if host in LOOPBACK else host, parts.port or 6379)
