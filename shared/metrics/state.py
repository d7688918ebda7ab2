"""State read when /metrics is scraped, not counted: how late the outbox is, how deep the queue.

Each is one small read (a Limit-1 index query, one pipelined LLEN per priority list), made
only on a scrape, never on a request. When DynamoDB or Redis does not answer, the gauge reads
NaN and the failure is logged: the rest of the scrape is still served.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import redis
from kombu.transport.redis import PRIORITY_STEPS, Channel
from prometheus_client.metrics_core import GaugeMetricFamily, Metric

from shared.clock import parse_iso, utc_now
from shared.messaging.outbox import oldest_pending_at

log = logging.getLogger(__name__)

OUTBOX_AGE = "prolearn_outbox_pending_oldest_age_seconds"
QUEUE_DEPTH = "prolearn_queue_depth"


def priority_lists(queue: str) -> list[str]:
    """The Redis lists kombu keeps a queue's messages in: the queue's own name for priority 0
    (what our publisher sends) and `<queue>\\x06\\x16<step>` for the other priority steps."""
    return [f"{queue}{Channel.sep}{step}" if step else queue for step in PRIORITY_STEPS]


def queue_length(client: redis.Redis, queue: str) -> int:
    """Messages waiting in `queue`, over every priority list kombu keeps it in."""
    with client.pipeline(transaction=False) as pipe:
        for name in priority_lists(queue):
            pipe.llen(name)
        return sum(pipe.execute())


@dataclass(frozen=True)
class OutboxLag:
    """Age of the oldest outbox item not yet dispatched; 0 when nothing is pending."""

    service: str
    client: Callable[[], Any]
    table: str

    def collect(self) -> Iterator[Metric]:
        gauge = GaugeMetricFamily(
            OUTBOX_AGE,
            "Seconds since the oldest outbox item still pending was committed (0: none pending).",
            labels=["service"],
        )
        gauge.add_metric([self.service], self._age())
        yield gauge

    def _age(self) -> float:
        try:
            oldest = oldest_pending_at(self.client(), self.table)
        except Exception as exc:
            log.warning("outbox age unavailable", extra={"table": self.table, "error": repr(exc)})
            return math.nan
        if oldest is None:
            return 0.0
        return max(0.0, (utc_now() - parse_iso(oldest)).total_seconds())


@dataclass(frozen=True)
class QueueDepth:
    """Messages waiting in a service's Celery queue (not yet taken by a worker)."""

    queue: str
    redis: Callable[[], Any]

    def collect(self) -> Iterator[Metric]:
        gauge = GaugeMetricFamily(
            QUEUE_DEPTH,
            "Messages waiting in the queue, not yet delivered to a worker.",
            labels=["queue"],
        )
        gauge.add_metric([self.queue], self._depth())
        yield gauge

    def _depth(self) -> float:
        try:
            return float(queue_length(self.redis(), self.queue))
        except Exception as exc:
            log.warning("queue depth unavailable", extra={"queue": self.queue, "error": repr(exc)})
            return math.nan
