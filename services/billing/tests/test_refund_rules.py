"""Refunds and duplicate payments against a real table and the Cashfree simulator."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta

import pytest
import requests

from billing import reconciler, refunds
from billing.adapters.cashfree import CashfreeClient
from billing.adapters.repository import to_item
from billing.bootstrap import Billing
from billing.commands import RequestRefund
from billing.domain.model import PENDING, SUCCESS, Attempt, Order, RefundUpdate
from billing.errors import OrderNotFound, RefundRefused
from billing.ledger import Ledger
from billing.payments import apply_attempt
from billing.schedule import ReconcileSchedule
from shared.clock import iso, now_iso, utc_now
from shared.dynamo.codec import deserialize


@pytest.fixture
def ledger(billing: Billing) -> Ledger:
    """What the payment and refund rules work on, as bootstrap builds it."""
    return Ledger(
        orders=billing.orders,
        unit_of_work=billing.runtime.unit_of_work,
        cashfree=CashfreeClient(billing.settings.cashfree),
        schedule=ReconcileSchedule.of(billing.settings.billing),
    )


def open_order(ledger: Ledger, user_id: str = "u1") -> Order:
    """An order as checkout leaves it: in the table and at Cashfree."""
    now = now_iso()
    order = Order(
        order_id=f"pl_{uuid.uuid4().hex}",
        user_id=user_id,
        course_id="c1",
        teacher_id="t1",
        course_title="Course",
        amount=49900,
        currency="INR",
        status=PENDING,
        created_at=now,
        updated_at=now,
        check_at=ledger.schedule.first_check(),
    )
    created = ledger.cashfree.create_order(
        {
            "order_id": order.order_id,
            "order_amount": 499.0,
            "order_currency": "INR",
            "customer_details": {"customer_id": "u1abc", "customer_phone": "9999999999"},
        }
    )
    order = replace(order, provider_order={"payment_session_id": created["payment_session_id"]})
    uow = ledger.unit_of_work()
    uow.tx.put(to_item(order))
    uow.commit()
    return order


def pay_at_cashfree(app: Billing, order: Order) -> None:
    base = app.settings.cashfree.api_url
    requests.post(
        f"{base}/sim/orders/{order.order_id}/pay", json={"deliver": False}, timeout=5
    ).raise_for_status()


def raised(app: Billing) -> Counter[str]:
    """Event types in the outbox (a test-only scan of a private table)."""
    items = app.runtime.dynamodb.scan(TableName=app.runtime.table)["Items"]
    return Counter(
        json.loads(deserialize(i)["envelope"])["event_type"] for i in items if "envelope" in i
    )


def totals(app: Billing) -> dict[str, int]:
    [row] = app.orders.sales_totals("t1")
    return {k: int(row.get(k, 0)) for k in ("orders", "amount", "refunds", "refundedAmount")}


def test_a_second_successful_payment_is_refunded_and_recorded(
    billing: Billing, ledger: Ledger
) -> None:
    first, second = open_order(ledger), open_order(ledger)
    pay_at_cashfree(billing, first)
    pay_at_cashfree(billing, second)  # the race checkout's termination usually prevents

    assert reconciler.reconcile_order(first, ledger=ledger).status == SUCCESS
    duplicate = reconciler.reconcile_order(second, ledger=ledger)
    assert (duplicate.status, duplicate.duplicate_of) == (SUCCESS, first.order_id)
    assert duplicate.refund is not None
    assert (duplicate.refund.kind, duplicate.refund.amount) == ("duplicate_payment", 49900)

    settled = reconciler.reconcile_refund(duplicate, ledger=ledger)
    assert settled.refund is not None and settled.refund.status == SUCCESS
    assert billing.orders.owning_order("u1", "c1") == first.order_id
    assert raised(billing) == {"billing.payment.succeeded.v1": 1, "billing.refund.succeeded.v1": 1}
    assert totals(billing) == {"orders": 1, "amount": 49900, "refunds": 0, "refundedAmount": 0}
    assert "duplicate_payment" in {a["kind"] for a in billing.orders.alerts()}
    sales, _ = billing.orders.sales_of("t1", 10, None)
    assert [s.order_id for s in sales] == [first.order_id]


def test_a_refund_recorded_before_its_payment_settles_with_it(
    billing: Billing, ledger: Ledger
) -> None:
    order = open_order(ledger)
    update = RefundUpdate("dashboard_1", SUCCESS, now_iso(), "cf_1")
    waiting = refunds.apply_update(
        order.order_id,
        update,
        orders=ledger.orders,
        unit_of_work=ledger.unit_of_work,
    )
    assert (waiting.status, waiting.refund and waiting.refund.status) == (PENDING, SUCCESS)
    assert raised(billing) == {}

    paid = Attempt("cf_pay_1", SUCCESS, 49900, "INR", now_iso())
    settled = apply_attempt(order.order_id, paid, ledger=ledger)
    assert settled.status == SUCCESS and settled.refunded
    assert billing.orders.owning_order("u1", "c1") is None
    assert raised(billing) == {"billing.payment.succeeded.v1": 1, "billing.refund.succeeded.v1": 1}
    assert totals(billing) == {"orders": 1, "amount": 49900, "refunds": 1, "refundedAmount": 49900}
    again = apply_attempt(order.order_id, paid, ledger=ledger)
    assert again == settled and sum(raised(billing).values()) == 2


def test_refunds_only_for_the_buyer_of_a_paid_order_in_the_window(
    billing: Billing, ledger: Ledger
) -> None:
    order = open_order(ledger)
    with pytest.raises(RefundRefused) as caught:
        billing.request_refund(RequestRefund("u1", order.order_id, "changed my mind"))
    assert caught.value.code == "order_not_paid"
    paid = apply_attempt(
        order.order_id, Attempt("cf_2", SUCCESS, 49900, "INR", now_iso()), ledger=ledger
    )
    with pytest.raises(OrderNotFound):
        billing.request_refund(RequestRefund("someone_else", order.order_id, "mine now"))

    long_ago = iso(utc_now() - timedelta(days=7, minutes=1))
    uow = billing.runtime.unit_of_work()
    billing.orders.save(
        uow, replace(paid, paid_at=long_ago), read_status=SUCCESS, read_updated=paid.updated_at
    )
    uow.commit()
    with pytest.raises(RefundRefused) as caught:
        billing.request_refund(RequestRefund("u1", order.order_id, "too late"))
    assert caught.value.code == "refund_window_closed"
    assert caught.value.details["windowDays"] == 7


def test_refund_ids_are_deterministic_and_fit_cashfree() -> None:
    assert refunds.refund_id_for("pl_a") == refunds.refund_id_for("pl_a")
    assert refunds.refund_id_for("pl_a") != refunds.refund_id_for("pl_b")
    assert 3 <= len(refunds.refund_id_for("pl_" + "f" * 32)) <= 40


def test_concurrent_checks_of_a_pending_order_ask_cashfree_once(
    billing: Billing, ledger: Ledger
) -> None:
    order = open_order(ledger)
    with ThreadPoolExecutor(8) as pool:
        checked = list(
            pool.map(lambda _: reconciler.reconcile_order(order, ledger=ledger), range(8))
        )
    reconciler.reconcile_order(order, ledger=ledger)

    asked = requests.get(
        f"{billing.settings.cashfree.api_url}/sim/orders/{order.order_id}/requests", timeout=5
    ).json()
    assert sorted(r["path"] for r in asked) == [
        f"/pg/orders/{order.order_id}",
        f"/pg/orders/{order.order_id}/payments",
    ], "one ask: its payments, then the order's state"
    assert {o.status for o in checked} == {PENDING}
    stored = billing.orders.get(order.order_id)
    assert stored is not None and stored.asked_at is not None
    assert not reconciler.due_now(stored, ledger.schedule)
