"""Billing's JSON shapes: transactions as api.md freezes them, refunds and sales totals."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from billing.domain.model import REQUESTED, Order, Refund
from shared.dynamo.codec import Item


def transaction_json(order: Order) -> dict[str, Any]:
    """api.md's transaction, plus `refund` (null, or the order's refund)."""
    return {
        "userId": order.user_id,
        "transactionId": order.order_id,
        "dateTime": order.paid_at or order.created_at,
        "courseId": order.course_id,
        "paymentProvider": "cashfree",
        "amount": order.amount,
        "currency": order.currency,
        "status": order.status,
        "refund": refund_json(order, order.refund) if order.refund else None,
    }


def refund_json(order: Order, refund: Refund) -> dict[str, Any]:
    """A refund as its buyer sees it; one not yet acknowledged by Cashfree is PENDING too."""
    return {
        "refundId": refund.refund_id,
        "orderId": order.order_id,
        "courseId": order.course_id,
        "amount": refund.amount,
        "currency": refund.currency,
        "status": "PENDING" if refund.status == REQUESTED else refund.status,
        "reason": refund.reason,
        "kind": refund.kind,
        "requestedAt": refund.created_at,
        "processedAt": refund.processed_at,
    }


def sales_totals_json(totals: Iterable[Item]) -> list[dict[str, Any]]:
    """Each running total of a course in a currency, with what is left after refunds (minor
    units), largest net first."""
    data = [
        {
            "courseId": t["courseId"],
            "courseTitle": t.get("courseTitle", ""),
            "currency": t["currency"],
            "orders": int(t.get("orders", 0)),
            "amount": int(t.get("amount", 0)),
            "refunds": int(t.get("refunds", 0)),
            "refundedAmount": int(t.get("refundedAmount", 0)),
            "netAmount": int(t.get("amount", 0)) - int(t.get("refundedAmount", 0)),
        }
        for t in totals
    ]
    data.sort(key=lambda t: (-t["netAmount"], t["courseId"]))
    return data
