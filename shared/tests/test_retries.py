"""Delayed retries wait in the service's table, come back through the relay, then dead-letter."""

from __future__ import annotations

import base64
import json
from typing import Any

import redis
from celery import Celery

from shared.backoff import backoff_seconds
from shared.dynamo.codec import deserialize, serialize
from shared.dynamo.keys import OUTBOX_SENT, retry_key
from shared.events.contracts import PaymentSucceeded
from shared.events.envelope import Envelope, wrap
from shared.messaging.celery_app import make_worker_app, task_time_limits
from shared.messaging.consumer import Consumer, register_consumer
from shared.messaging.deadletters import DeadLetterStore
from shared.messaging.relay import sweep
from shared.messaging.unit_of_work import UnitOfWork
from shared.runtime import Runtime

QUEUE = "enrollment.events"


def payment() -> PaymentSucceeded:
    return PaymentSucceeded(
        order_id="o1",
        user_id="u1",
        course_id="c1",
        amount=49900,
        currency="INR",
        provider_payment_id="cf1",
        paid_at="2026-01-01T00:00:00Z",
    )


def failing_task(runtime: Runtime) -> tuple[Celery, Any]:
    def fail(_event: PaymentSucceeded, _envelope: Envelope, _uow: UnitOfWork) -> None:
        raise RuntimeError("downstream unavailable")

    app = make_worker_app(runtime.settings)
    return app, register_consumer(app, Consumer(runtime, {PaymentSucceeded.EVENT_TYPE: fail}))


def retry_item(runtime: Runtime, envelope: Envelope) -> dict[str, Any] | None:
    found = runtime.dynamodb.get_item(
        TableName=runtime.table, Key=serialize(retry_key(envelope.event_id)), ConsistentRead=True
    ).get("Item")
    return deserialize(found) if found else None


def queued(broker: redis.Redis) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(envelope, kwargs) of every message waiting in the queue."""
    bodies = [
        json.loads(base64.b64decode(json.loads(m)["body"])) for m in broker.lrange(QUEUE, 0, -1)
    ]
    return [(args[0], kwargs) for args, kwargs, _ in bodies]


def test_a_failure_schedules_a_retry_in_the_table_not_the_broker(
    runtime: Runtime, broker: redis.Redis
) -> None:
    _, task = failing_task(runtime)
    envelope = wrap(payment(), "billing")

    assert task.apply(args=[envelope.to_dict()]).get() == "retry-scheduled"

    item = retry_item(runtime, envelope)
    assert item is not None and item["attempt"] == 1 and item["to"] == "enrollment"
    assert queued(broker) == [], "nothing waits in the broker"


def test_the_relay_sends_a_due_retry_back_with_its_attempt(
    runtime: Runtime, broker: redis.Redis
) -> None:
    _, task = failing_task(runtime)
    envelope = wrap(payment(), "billing")
    task.apply(args=[envelope.to_dict()])

    # The first retry is due within 2 s, which the relay's grace period (3 s) already covers.
    assert sweep(runtime.dispatcher, runtime.publisher, grace_seconds=0) == 1

    [(sent, kwargs)] = queued(broker)
    assert sent["event_id"] == envelope.event_id and kwargs == {"attempt": 1}
    item = retry_item(runtime, envelope)
    assert item is not None and item["OUTBOXPK"] == OUTBOX_SENT
    assert sweep(runtime.dispatcher, runtime.publisher, grace_seconds=0) == 0


def test_a_retry_fails_again_later_and_finally_becomes_a_dead_letter(runtime: Runtime) -> None:
    _, task = failing_task(runtime)
    envelope = wrap(payment(), "billing")
    last = runtime.settings.messaging.max_retries

    assert task.apply(args=[envelope.to_dict()], kwargs={"attempt": last - 1}).get() == (
        "retry-scheduled"
    )
    assert task.apply(args=[envelope.to_dict()], kwargs={"attempt": last}).get() == "dead-lettered"

    [letter] = DeadLetterStore(runtime.dynamodb, runtime.table).list()
    assert letter.event_id == envelope.event_id and letter.attempts == last + 1


def test_a_stale_copy_does_not_set_a_scheduled_retry_back(runtime: Runtime) -> None:
    _, task = failing_task(runtime)
    envelope = wrap(payment(), "billing")
    task.apply(args=[envelope.to_dict()], kwargs={"attempt": 3})
    task.apply(args=[envelope.to_dict()])  # a redelivered first copy fails too

    item = retry_item(runtime, envelope)
    assert item is not None and item["attempt"] == 4


def test_backoff_doubles_up_to_its_cap_with_jitter() -> None:
    assert [backoff_seconds(n, 2, 30, rand=lambda: 1.0) for n in (1, 2, 3, 4, 5, 6)] == [
        2,
        4,
        8,
        16,
        30,
        30,
    ]
    assert backoff_seconds(3, 2, 30, rand=lambda: 0.0) == 4, "half of the delay is random"


def test_tasks_end_well_inside_the_visibility_timeout() -> None:
    for visibility in (6, 10, 30, 3600):
        soft, hard = task_time_limits(visibility)
        assert 0 < soft < hard < visibility


def test_a_payload_its_contract_refuses_is_dead_lettered_at_once(runtime: Runtime) -> None:
    """A decode failure is a ValueError: retrying the same data would fail the same way."""
    _, task = failing_task(runtime)
    raw = wrap(payment(), "billing").to_dict()
    raw["data"]["amount"] = "49900"

    assert task.apply(args=[raw]).get() == "dead-lettered"

    [letter] = DeadLetterStore(runtime.dynamodb, runtime.table).list()
    assert letter.attempts == 1 and "int_type" in letter.error
    assert retry_item(runtime, Envelope.from_dict(raw)) is None
