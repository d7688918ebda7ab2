"""The worker's liveness check: the decision, the watch over its queue, GET /live."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from celery.signals import task_received
from prometheus_client import CollectorRegistry, Counter
from werkzeug.test import Client

from shared.messaging.liveness import FETCH_SIGNALS, QueueWatch, decide, watch_queue
from shared.metrics.exposition import LiveAnswer, process_app
from shared.metrics.state import priority_lists, queue_length

STALL = 60.0


def test_an_empty_queue_is_live_however_long_nothing_was_fetched() -> None:
    assert decide(now=10_000, last_fetch=0, last_idle=0, queue_length=0, stall_seconds=STALL).live


def test_a_waiting_queue_is_live_while_the_worker_fetches() -> None:
    assert decide(now=100, last_fetch=41, last_idle=0, queue_length=5, stall_seconds=STALL).live
    assert decide(now=100, last_fetch=40, last_idle=0, queue_length=5, stall_seconds=STALL).live


def test_a_waiting_queue_nothing_was_fetched_from_for_too_long_is_not_live() -> None:
    verdict = decide(now=100, last_fetch=39, last_idle=0, queue_length=5, stall_seconds=STALL)
    assert not verdict.live
    assert verdict.reason == "5 message(s) waiting, nothing fetched for 61 s (limit 60 s)"


def test_the_stall_is_counted_from_when_the_queue_was_last_seen_idle() -> None:
    """A message that arrives after a quiet hour has not waited an hour."""
    assert decide(now=3600, last_fetch=0, last_idle=3590, queue_length=1, stall_seconds=STALL).live
    assert not decide(
        now=3600, last_fetch=0, last_idle=3530, queue_length=1, stall_seconds=STALL
    ).live


def test_an_unreachable_broker_is_live_a_restart_would_not_bring_it_back() -> None:
    verdict = decide(now=10_000, last_fetch=0, last_idle=0, queue_length=None, stall_seconds=STALL)
    assert verdict.live
    assert "broker unreachable" in verdict.reason


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeQueue:
    def __init__(self) -> None:
        self.length: int | Exception = 0

    def __call__(self) -> int:
        if isinstance(self.length, Exception):
            raise self.length
        return self.length


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def queue() -> FakeQueue:
    return FakeQueue()


@pytest.fixture
def watch(clock: FakeClock, queue: FakeQueue) -> QueueWatch:
    return QueueWatch("billing.events", queue, STALL, clock)


def test_the_start_counts_as_a_fetch(watch: QueueWatch, clock: FakeClock, queue: FakeQueue) -> None:
    queue.length = 3
    clock.now += STALL
    live, body = watch.check()
    assert live
    assert body == {
        "live": True,
        "reason": "fetching",
        "queue": "billing.events",
        "queue_length": 3,
        "seconds_since_fetch": STALL,
        "stall_seconds": STALL,
    }
    clock.now += 1
    assert watch.check()[0] is False


def test_a_fetch_keeps_a_busy_worker_live(
    watch: QueueWatch, clock: FakeClock, queue: FakeQueue
) -> None:
    queue.length = 3
    for _ in range(5):
        clock.now += STALL - 1
        watch.fetched(signal=task_received, sender=None, request=None)
        assert watch.check()[0]


def test_seeing_the_queue_empty_restarts_the_stall_clock(
    watch: QueueWatch, clock: FakeClock, queue: FakeQueue
) -> None:
    clock.now += 3600
    assert watch.check()[0]  # empty: live, and remembered as idle
    queue.length = 1
    clock.now += STALL
    assert watch.check()[0]
    clock.now += 1
    live, body = watch.check()
    assert not live
    assert body["seconds_since_fetch"] == 3600 + STALL + 1


def test_while_the_broker_is_unreachable_the_worker_is_live_and_has_grace_after(
    watch: QueueWatch, clock: FakeClock, queue: FakeQueue
) -> None:
    queue.length = redis.ConnectionError("Connection refused")
    clock.now += 3600
    live, body = watch.check()
    assert live
    assert body["queue_length"] is None
    assert body["broker_error"] == "ConnectionError: Connection refused"
    queue.length = 7  # the broker is back with messages: the worker gets time to reconnect
    clock.now += STALL
    assert watch.check()[0]


@pytest.fixture
def connected() -> Iterator[QueueWatch]:
    watch = watch_queue("billing", redis.Redis(), STALL)
    yield watch
    for signal in FETCH_SIGNALS:
        signal.disconnect(watch.fetched)


def test_a_message_received_by_the_worker_is_a_fetch(connected: QueueWatch) -> None:
    connected.last_fetch = 0
    task_received.send(sender=None, request=None)
    assert connected.last_fetch > 0
    assert connected.queue == "billing.events"


def test_the_queue_length_counts_every_priority_list(broker: redis.Redis) -> None:
    lists = priority_lists("billing.events")
    broker.lpush(lists[0], "a", "b")
    broker.lpush(lists[-1], "c")
    assert queue_length(broker, "billing.events") == 3
    assert queue_length(broker, "other.events") == 0


def metrics_client(live: LiveAnswer | None) -> Client:
    registry = CollectorRegistry()
    Counter("prolearn_probe_total", "A counter to scrape.", registry=registry).inc()
    return Client(process_app(registry, (lambda: live) if live is not None else None))


def test_live_answers_200_or_503_with_the_checks_json() -> None:
    answer = metrics_client((True, {"live": True, "reason": "queue empty"})).get("/live")
    assert answer.status_code == 200
    assert answer.json == {"live": True, "reason": "queue empty"}
    answer = metrics_client((False, {"live": False, "reason": "stalled"})).get("/live")
    assert answer.status_code == 503
    assert answer.json == {"live": False, "reason": "stalled"}


def test_without_a_check_answering_is_being_live_and_metrics_are_served_elsewhere() -> None:
    client = metrics_client(None)
    assert client.get("/live").json == {"live": True}
    for path in ("/metrics", "/"):
        assert "prolearn_probe_total 1.0" in client.get(path).text
