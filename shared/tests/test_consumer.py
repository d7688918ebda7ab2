"""Inbox: an event's effect happens once, whatever the redeliveries or races."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import redis

from shared.dynamo.codec import deserialize, serialize, values
from shared.events.contracts import EnrollmentCreated, PaymentSucceeded
from shared.events.envelope import Envelope, wrap
from shared.messaging.consumer import Consumer, NoHandler
from shared.messaging.deadletters import DeadLetterStore
from shared.messaging.unit_of_work import UnitOfWork
from shared.runtime import Runtime

COUNTER = {"PK": "COUNTER", "SK": "C"}


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


def counting_consumer(runtime: Runtime) -> Consumer:
    def handle(event: PaymentSucceeded, _: Envelope, uow: UnitOfWork) -> None:
        uow.tx.update(COUNTER, "ADD hits :one", values=values(one=1))
        uow.raise_event(
            EnrollmentCreated(
                user_id=event.user_id,
                course_id=event.course_id,
                order_id=event.order_id,
                enrolled_at="t",
            )
        )

    return Consumer(runtime, {PaymentSucceeded.EVENT_TYPE: handle})


def hits(runtime: Runtime) -> int:
    item = runtime.dynamodb.get_item(TableName=runtime.table, Key=serialize(COUNTER)).get("Item")
    return int(deserialize(item)["hits"]) if item else 0


def test_duplicate_delivery_applies_once(runtime: Runtime, broker: redis.Redis) -> None:
    consumer = counting_consumer(runtime)
    envelope = wrap(payment(), "billing")
    assert consumer.consume(envelope) == "handled"
    assert consumer.consume(envelope) == "duplicate"
    assert hits(runtime) == 1
    assert broker.llen("catalog.events") == 1


def test_concurrent_deliveries_apply_once(runtime: Runtime, broker: redis.Redis) -> None:
    consumer = counting_consumer(runtime)
    envelope = Envelope.from_dict(json.loads(json.dumps(wrap(payment(), "billing").to_dict())))
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda _: consumer.consume(envelope), range(8)))
    assert outcomes.count("handled") == 1
    assert hits(runtime) == 1
    assert broker.llen("catalog.events") == 1


def test_a_redelivery_is_a_duplicate_even_when_the_handler_writes_conditionally(
    runtime: Runtime,
) -> None:
    """A handler that creates an item once (a mail, say) must not turn a redelivery into a
    failure: the inbox, checked first, reports it as the duplicate it is."""

    def create_once(event: PaymentSucceeded, _: Envelope, uow: UnitOfWork) -> None:
        uow.tx.put(
            {"PK": f"MAIL#{event.order_id}", "SK": "MAIL"}, condition="attribute_not_exists(PK)"
        )

    consumer = Consumer(runtime, {PaymentSucceeded.EVENT_TYPE: create_once})
    envelope = wrap(payment(), "billing")
    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(lambda _: consumer.consume(envelope), range(4)))
    assert sorted(outcomes) == ["duplicate", "duplicate", "duplicate", "handled"]
    assert consumer.consume(envelope) == "duplicate"


def test_caused_events_carry_correlation_and_causation(
    runtime: Runtime, broker: redis.Redis
) -> None:
    from shared.context import bound

    consumer = counting_consumer(runtime)
    envelope = wrap(payment(), "billing")
    with bound(envelope.correlation_id, envelope.event_id):
        consumer.consume(envelope)
    message: dict[str, Any] = json.loads(broker.lindex("catalog.events", 0))
    import base64

    body = json.loads(base64.b64decode(message["body"]))
    caused = body[0][0]
    assert caused["causation_id"] == envelope.event_id
    assert caused["correlation_id"] == envelope.correlation_id


def test_unhandled_type_raises(runtime: Runtime) -> None:
    consumer = Consumer(runtime, {})
    with pytest.raises(NoHandler):
        consumer.consume(wrap(payment(), "billing"))


def test_dead_letters_are_listed_and_replayed(runtime: Runtime, broker: redis.Redis) -> None:
    store = DeadLetterStore(runtime.dynamodb, runtime.table)
    envelope = wrap(payment(), "billing")
    store.store(envelope.to_dict(), "RuntimeError('boom')", attempts=7)
    [letter] = store.list()
    assert letter.event_id == envelope.event_id and letter.attempts == 7
    assert store.replay("enrollment", runtime.publisher, envelope.event_id)
    assert store.list() == []
    assert broker.llen("enrollment.events") == 1
    assert not store.replay("enrollment", runtime.publisher, envelope.event_id)
