"""Outbox: nothing leaves before commit, everything committed leaves eventually."""

from __future__ import annotations

import dataclasses
import json
import time

import pytest
import redis

from shared.config import Settings
from shared.dynamo.transaction import ConditionFailed
from shared.events.contracts import EnrollmentCreated
from shared.messaging.relay import sweep
from shared.runtime import Runtime

QUEUE = "catalog.events"  # enrollment.created is consumed by catalog


def created(user: str = "u1") -> EnrollmentCreated:
    return EnrollmentCreated(user_id=user, course_id="c1", order_id="o1", enrolled_at="t")


def queued(broker: redis.Redis) -> list[dict[str, object]]:
    return [json.loads(m) for m in broker.lrange(QUEUE, 0, -1)]


def test_committed_event_is_dispatched_at_once(runtime: Runtime, broker: redis.Redis) -> None:
    uow = runtime.unit_of_work()
    uow.tx.put({"PK": "STATE", "SK": "1"})
    envelope = uow.raise_event(created())
    uow.commit()
    messages = queued(broker)
    assert len(messages) == 1
    assert messages[0]["headers"]["task"] == "catalog.handle_event"  # type: ignore[index]
    assert runtime.dispatcher.pending(older_than_seconds=0) == []
    assert envelope.event_type == "enrollment.enrollment.created.v1"


def test_nothing_is_dispatched_when_the_commit_fails(runtime: Runtime, broker: redis.Redis) -> None:
    first = runtime.unit_of_work()
    first.tx.put({"PK": "STATE", "SK": "1"}, condition="attribute_not_exists(PK)")
    first.commit()
    broker.flushdb()
    second = runtime.unit_of_work()
    second.tx.put({"PK": "STATE", "SK": "1"}, condition="attribute_not_exists(PK)")
    second.raise_event(created())
    with pytest.raises(ConditionFailed):
        second.commit()
    assert queued(broker) == []
    assert runtime.dispatcher.pending(older_than_seconds=0) == []


def test_broker_down_leaves_item_pending_and_relay_sends_it(
    settings: Settings, runtime: Runtime, broker: redis.Redis
) -> None:
    dead_broker = dataclasses.replace(
        settings,
        messaging=dataclasses.replace(settings.messaging, redis_url="redis://127.0.0.1:1/0"),
    )
    offline = Runtime(dead_broker)
    uow = offline.unit_of_work()
    envelope = uow.raise_event(created())
    started = time.perf_counter()
    uow.commit()
    assert time.perf_counter() - started < 2, "a dead broker must not hold the request"
    assert [e.event_id for e in runtime.dispatcher.pending(0)] == [envelope.event_id]
    assert queued(broker) == []

    assert sweep(runtime.dispatcher, runtime.publisher, grace_seconds=0) == 1
    assert [m["headers"]["id"] for m in queued(broker)]  # type: ignore[index]
    assert runtime.dispatcher.pending(0) == []


def test_relay_respects_grace_period(runtime: Runtime, broker: redis.Redis) -> None:
    offline_publisher_runtime = runtime
    uow = offline_publisher_runtime.unit_of_work()
    uow.raise_event(created())
    uow.tx.commit()  # committed but never dispatched: the fast path crashed before it ran
    assert sweep(runtime.dispatcher, runtime.publisher, grace_seconds=60) == 0
    assert sweep(runtime.dispatcher, runtime.publisher, grace_seconds=0) == 1
    assert len(queued(broker)) == 1


PUBSUB_ONLY = {"services/chat/chat/fanout.py"}
"""Chat's Redis pub/sub carries live frames between replicas (stored first), not domain events."""


def test_publisher_is_called_only_by_the_outbox() -> None:
    """Static guard: services never publish directly, only through committed outbox items."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for path in [*root.glob("services/*/*/**/*.py"), *root.glob("shared/**/*.py")]
        if "tests" not in path.parts
        and (".publish(" in path.read_text() or ".send_task(" in path.read_text())
        and path.name not in {"outbox.py", "publisher.py"}
        and path.relative_to(root).as_posix() not in PUBSUB_ONLY
    ]
    assert offenders == []
