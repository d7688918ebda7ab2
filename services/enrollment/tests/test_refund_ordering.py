"""Payment and refund events in every order: a refunded order never leaves access behind."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from itertools import permutations
from typing import Any

import pytest

from enrollment import bootstrap
from enrollment.bootstrap import Learning
from shared.config import load_settings
from shared.dynamo.tables import ensure_table
from shared.events.contracts import PaymentSucceeded, RefundSucceeded
from shared.events.envelope import wrap
from shared.messaging.consumer import HANDLED, Consumer
from shared.runtime import Runtime

AT = "2026-11-25T10:00:00.000Z"


@pytest.fixture
def learning() -> Iterator[Learning]:
    env = {**os.environ, "TABLE_PREFIX": f"t{uuid.uuid4().hex[:8]}-"}
    app = bootstrap.build(Runtime(load_settings("enrollment", env)))
    ensure_table(app.runtime.dynamodb, app.runtime.table)
    yield app
    app.runtime.dynamodb.delete_table(TableName=app.runtime.table)


def paid(order_id: str) -> PaymentSucceeded:
    return PaymentSucceeded(
        order_id=order_id,
        user_id="u1",
        course_id="c1",
        amount=9900,
        currency="INR",
        provider_payment_id=f"cf_{order_id}",
        paid_at=AT,
    )


def refunded(order_id: str) -> RefundSucceeded:
    return RefundSucceeded(
        order_id=order_id,
        refund_id=f"rf_{order_id}",
        user_id="u1",
        course_id="c1",
        amount=9900,
        currency="INR",
        refunded_at=AT,
    )


def apply(app: Learning, event: Any) -> None:
    """The handler alone, reading what it needs (a unit of work is not optimistic by default)."""
    handler = app.on_event[event.EVENT_TYPE]
    uow = app.runtime.unit_of_work()
    handler(event, wrap(event, producer="billing"), uow)
    uow.commit()


def consume(app: Learning, event: Any) -> None:
    """As the worker does: an optimistic first run that skips reads, then runs that read."""
    consumer = Consumer(app.runtime, app.on_event)
    assert consumer.consume(wrap(event, producer="billing")) == HANDLED


Deliver = Callable[[Learning, Any], None]


@pytest.fixture(params=[apply, consume], ids=["handler", "consumer"])
def deliver(request: pytest.FixtureRequest) -> Deliver:
    chosen: Deliver = request.param
    return chosen


def access(app: Learning) -> tuple[bool, str | None]:
    enrollment = app.enrollments.get("u1", "c1")
    return (
        enrollment is not None and enrollment.active,
        enrollment.order_id if enrollment else None,
    )


def named(sequence: tuple[Any, ...]) -> str:
    return "-".join(
        f"{'paid' if isinstance(e, PaymentSucceeded) else 'refunded'}_{e.order_id}"
        for e in sequence
    )


@pytest.mark.parametrize(
    "sequence", list(permutations([paid("o1"), refunded("o1"), paid("o2")])), ids=named
)
def test_only_the_unrefunded_order_grants_access(
    learning: Learning, deliver: Deliver, sequence: Any
) -> None:
    for event in sequence:
        deliver(learning, event)
    assert access(learning) == (True, "o2")


def test_a_refund_before_its_payment_on_a_revoked_enrollment_keeps_it_revoked(
    learning: Learning, deliver: Deliver
) -> None:
    deliver(learning, paid("o1"))
    deliver(learning, refunded("o1"))
    deliver(learning, refunded("o2"))  # bought again, refunded before the payment event came
    deliver(learning, paid("o2"))
    assert access(learning) == (False, "o1")


def test_a_refund_of_a_duplicate_payment_leaves_the_enrollment_alone(
    learning: Learning, deliver: Deliver
) -> None:
    deliver(learning, paid("o1"))
    deliver(learning, refunded("o2"))
    deliver(learning, paid("o2"))
    assert access(learning) == (True, "o1")


def test_a_first_purchase_is_enrolled_without_a_read(learning: Learning) -> None:
    """The usual case costs the one transaction: the consumer's first run assumes no refund
    and no enrollment yet, and the transaction's conditions hold it to that."""
    operations: list[str] = []

    def record(model: Any, **_: Any) -> None:
        operations.append(model.name)

    events = learning.runtime.dynamodb.meta.events
    events.register("before-call.dynamodb", record, unique_id="test-first-purchase")
    try:
        consume(learning, paid("o1"))
    finally:
        events.unregister("before-call.dynamodb", unique_id="test-first-purchase")
    assert operations[0] == "TransactWriteItems"
    assert "GetItem" not in operations
    assert access(learning) == (True, "o1")
