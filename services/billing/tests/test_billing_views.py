"""Billing's answers keep api.md's shapes, field for field and in order, now that they are the
models of shared/api/payments.py."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from billing import views
from billing.domain.model import REQUESTED, Order, Refund

AT, PAID, DONE = "2026-11-25T10:00:00.000Z", "2026-11-25T10:01:00.000Z", "2026-11-26T09:00:00.000Z"


def order(refund: Refund | None = None) -> Order:
    return Order(
        order_id="pl_1",
        user_id="u1",
        course_id="c1",
        teacher_id="t1",
        course_title="Course",
        amount=49900,
        currency="INR",
        status="SUCCESS",
        created_at=AT,
        updated_at=PAID,
        paid_at=PAID,
        refund=refund,
    )


def refund(status: str = REQUESTED) -> Refund:
    return Refund("rf_1", 49900, "INR", status, "requested", "changed my mind", AT, AT)


def test_a_transaction_is_api_md_s_with_its_refund() -> None:
    wire = views.transaction(order(refund())).wire()
    assert list(wire) == [
        "userId",
        "transactionId",
        "dateTime",
        "courseId",
        "paymentProvider",
        "amount",
        "currency",
        "status",
        "refund",
    ]
    assert wire["dateTime"] == PAID and wire["paymentProvider"] == "cashfree"
    assert wire["refund"] == {
        "refundId": "rf_1",
        "orderId": "pl_1",
        "courseId": "c1",
        "amount": 49900,
        "currency": "INR",
        "status": "PENDING",  # not yet acknowledged by Cashfree
        "reason": "changed my mind",
        "kind": "requested",
        "requestedAt": AT,
        "processedAt": None,
    }
    assert views.transaction(order()).wire()["refund"] is None


def test_a_sale_is_the_transaction_and_its_course_title() -> None:
    sale = views.sale(order()).wire()
    assert sale == {**views.transaction(order()).wire(), "courseTitle": "Course"}
    assert list(sale)[-1] == "courseTitle"


def test_totals_come_largest_net_first() -> None:
    totals = [
        {"courseId": "a", "currency": "INR", "orders": 2, "amount": 100, "refundedAmount": 90},
        {"courseId": "b", "courseTitle": "B", "currency": "INR", "orders": 1, "amount": 50},
    ]
    rows = [row.wire() for row in views.sales_totals(totals)]
    assert [(r["courseId"], r["netAmount"]) for r in rows] == [("b", 50), ("a", 10)]
    assert rows[1] == {
        "courseId": "a",
        "courseTitle": "",
        "currency": "INR",
        "orders": 2,
        "amount": 100,
        "refunds": 0,
        "refundedAmount": 90,
        "netAmount": 10,
    }


def test_a_state_the_contract_does_not_know_is_refused_not_answered() -> None:
    with pytest.raises(ValidationError):
        views.order_status(Order(**{**order().__dict__, "status": "HALF_PAID"}))
