"""Create-order's answers, the order-status 404 and the webhook's answer keep their shapes field
for field, in order: Cashfree's order in Cashfree's own snake_case names."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from billing import views
from billing.domain.model import PENDING, Order
from shared.api.payments import WebhookOutcome

AT = "2026-11-25T10:00:00.000Z"
CASHFREE_FIELDS = [
    "order_id",
    "cf_order_id",
    "payment_session_id",
    "order_status",
    "order_amount",
    "order_currency",
    "order_expiry_time",
]


def order(provider_order: dict[str, Any], amount: int = 49900) -> Order:
    return Order(
        order_id="pl_1",
        user_id="u1",
        course_id="c1",
        teacher_id="t1",
        course_title="Course",
        amount=amount,
        currency="INR",
        status=PENDING,
        created_at=AT,
        updated_at=AT,
        provider_order=provider_order,
    )


def test_cashfrees_order_is_answered_in_its_own_names() -> None:
    provider = {
        "order_id": "pl_1",
        "cf_order_id": "2149460581",
        "payment_session_id": "session_abc",
        "order_status": "ACTIVE",
        "order_amount": Decimal("499.00"),
        "order_currency": "INR",
        "order_expiry_time": "2026-12-25T10:00:00+05:30",
    }
    wire = views.cashfree_order(order(provider)).wire()
    assert list(wire) == CASHFREE_FIELDS
    assert wire == {**provider, "order_amount": 499.0}
    assert isinstance(wire["order_amount"], float)


@pytest.mark.parametrize(("amount", "kind"), [(499, int), (499.5, float), (None, type(None))])
def test_the_amount_is_the_number_cashfree_wrote(amount: float | None, kind: type) -> None:
    wire = views.cashfree_order(order({"order_id": "pl_1", "order_amount": amount})).wire()
    assert wire["order_amount"] == amount and type(wire["order_amount"]) is kind


def test_a_field_cashfree_left_out_is_null() -> None:
    wire = views.cashfree_order(order({"order_id": "pl_1", "payment_session_id": "s"})).wire()
    assert list(wire) == CASHFREE_FIELDS
    assert wire == dict.fromkeys(CASHFREE_FIELDS) | {
        "order_id": "pl_1",
        "payment_session_id": "s",
    }


def test_a_free_course_is_paid_at_once() -> None:
    wire = views.free_order(order({}, amount=0)).wire()
    assert list(wire.items()) == [("order_id", "pl_1"), ("order_status", "PAID")]


def test_an_unknown_order_is_the_error_envelope_with_data_for_pollers() -> None:
    wire = views.unknown_order("No such order.").wire()
    assert list(wire.items()) == [
        ("message", "No such order."),
        ("error", {"code": "order_not_found", "details": None}),
        ("data", {"status": "NOT_FOUND"}),
    ]
    assert list(wire["error"]) == ["code", "details"]


def test_the_webhook_answers_its_outcome_in_a_word() -> None:
    assert WebhookOutcome(outcome="SUCCESS").wire() == {"outcome": "SUCCESS"}
