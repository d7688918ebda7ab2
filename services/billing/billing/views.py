"""Billing's answers, as the models of shared/api/payments.py: created orders, transactions as
api.md freezes them, refunds, sales and their totals."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from billing.domain.model import REQUESTED, Order
from shared.api import payments
from shared.api.common import ErrorDetail
from shared.dynamo.codec import Item


def cashfree_order(order: Order) -> payments.CashfreeOrder:
    """Cashfree's order as Cashfree wrote it, not validated (a field it left out is null), its
    amount always a number."""
    fields = payments.CashfreeOrder.model_fields
    return payments.CashfreeOrder.model_construct(
        **{name: _number(order.provider_order.get(name)) for name in fields}
    )


def _number(value: Any) -> Any:
    """Cashfree's order_amount, parsed as Decimal, which Flask would send as a JSON string (and
    the stored order, read back, as a number): always a number."""
    return float(value) if isinstance(value, Decimal) else value


def free_order(order: Order) -> payments.FreeOrder:
    return payments.FreeOrder(order_id=order.order_id, order_status="PAID")


def unknown_order(message: str) -> payments.UnknownOrder:
    """order_not_found, with the `data.status` pollers read."""
    return payments.UnknownOrder(
        message=message, error=ErrorDetail(code="order_not_found", details=None)
    )


def order_status(order: Order) -> payments.OrderStatus:
    return payments.OrderStatus.model_validate({"status": order.status, "order_id": order.order_id})


def transaction(order: Order) -> payments.Transaction:
    """api.md's transaction, plus `refund` (null, or the order's refund)."""
    return payments.Transaction.model_validate(_transaction_fields(order))


def sale(order: Order) -> payments.Sale:
    """A transaction of one of the teacher's courses, with the course's title."""
    fields = {**_transaction_fields(order), "course_title": order.course_title}
    return payments.Sale.model_validate(fields)


def _transaction_fields(order: Order) -> dict[str, Any]:
    return {
        "user_id": order.user_id,
        "transaction_id": order.order_id,
        "date_time": order.paid_at or order.created_at,
        "course_id": order.course_id,
        "payment_provider": "cashfree",
        "amount": order.amount,
        "currency": order.currency,
        "status": order.status,
        "refund": refund(order),
    }


def refund(order: Order) -> payments.Refund | None:
    """The order's refund as its buyer sees it (one not yet acknowledged by Cashfree is PENDING
    too), or None."""
    made = order.refund
    if made is None:
        return None
    return payments.Refund.model_validate(
        {
            "refund_id": made.refund_id,
            "order_id": order.order_id,
            "course_id": order.course_id,
            "amount": made.amount,
            "currency": made.currency,
            "status": "PENDING" if made.status == REQUESTED else made.status,
            "reason": made.reason,
            "kind": made.kind,
            "requested_at": made.created_at,
            "processed_at": made.processed_at,
        }
    )


def sales_totals(totals: Iterable[Item]) -> list[payments.SalesTotal]:
    """Each running total of a course in a currency, with what is left after refunds (minor
    units), largest net first."""
    rows = [
        payments.SalesTotal(
            course_id=t["courseId"],
            course_title=t.get("courseTitle", ""),
            currency=t["currency"],
            orders=int(t.get("orders", 0)),
            amount=int(t.get("amount", 0)),
            refunds=int(t.get("refunds", 0)),
            refunded_amount=int(t.get("refundedAmount", 0)),
            net_amount=int(t.get("amount", 0)) - int(t.get("refundedAmount", 0)),
        )
        for t in totals
    ]
    rows.sort(key=lambda row: (-row.net_amount, row.course_id))
    return rows
