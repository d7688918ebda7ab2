"""Payment and refund events in every order: a refunded order never leaves access behind."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from itertools import permutations
from typing import Any

import pytest

from enrollment import bootstrap
from enrollment.bootstrap import Learning
from enrollment.handlers import enroll_buyer, revoke_refunded
from shared.config import load_settings
from shared.dynamo.tables import ensure_table
from shared.events.contracts import PaymentSucceeded, RefundSucceeded
from shared.events.envelope import wrap

AT = "2026-11-25T10:00:00.000Z"


@pytest.fixture
def learning() -> Iterator[Learning]:
    env = {**os.environ, "TABLE_PREFIX": f"t{uuid.uuid4().hex[:8]}-"}
    app = bootstrap.build(load_settings("enrollment", env))
    ensure_table(app.runtime.dynamodb, app.runtime.table)
    yield app
    app.runtime.dynamodb.delete_table(TableName=app.runtime.table)


def paid(order_id: str) -> PaymentSucceeded:
    return PaymentSucceeded(order_id, "u1", "c1", 9900, "INR", f"cf_{order_id}", AT)


def refunded(order_id: str) -> RefundSucceeded:
    return RefundSucceeded(order_id, f"rf_{order_id}", "u1", "c1", 9900, "INR", AT)


def deliver(app: Learning, event: Any) -> None:
    handler = (enroll_buyer if isinstance(event, PaymentSucceeded) else revoke_refunded)(
        app.enrollments
    )
    uow = app.runtime.unit_of_work()
    handler(event, wrap(event, producer="billing"), uow)
    uow.commit()


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
def test_only_the_unrefunded_order_grants_access(learning: Learning, sequence: Any) -> None:
    for event in sequence:
        deliver(learning, event)
    assert access(learning) == (True, "o2")


def test_a_refund_before_its_payment_on_a_revoked_enrollment_keeps_it_revoked(
    learning: Learning,
) -> None:
    deliver(learning, paid("o1"))
    deliver(learning, refunded("o1"))
    deliver(learning, refunded("o2"))  # bought again, refunded before the payment event came
    deliver(learning, paid("o2"))
    assert access(learning) == (False, "o1")


def test_a_refund_of_a_duplicate_payment_leaves_the_enrollment_alone(learning: Learning) -> None:
    deliver(learning, paid("o1"))
    deliver(learning, refunded("o2"))
    deliver(learning, paid("o2"))
    assert access(learning) == (True, "o1")
