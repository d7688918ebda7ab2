"""Billing's DynamoDB keys."""

from __future__ import annotations

from shared.dynamo.keys import compose, key

PENDING_ORDERS = "ORDERS#PENDING"
OPEN_REFUNDS = "REFUNDS#OPEN"
ALERTS = "ALERTS"


def order_key(order_id: str) -> dict[str, str]:
    return key(compose("ORDER", order_id), "ORDER")


def user_orders(user_id: str) -> str:
    return compose("USER", user_id, "ORDERS")


def order_by_user(user_id: str, created_at: str, order_id: str) -> dict[str, str]:
    return {"GSI1PK": user_orders(user_id), "GSI1SK": compose(created_at, order_id)}


def awaiting_check(partition: str, check_at: str, order_id: str) -> dict[str, str]:
    """An open order or refund in the reconciler's queue, ordered by when it is due."""
    return {"GSI2PK": partition, "GSI2SK": compose(check_at, order_id)}


def sale_by_teacher(teacher_id: str, paid_at: str, order_id: str) -> dict[str, str]:
    return {"GSI3PK": teacher_sales(teacher_id), "GSI3SK": compose(paid_at, order_id)}


def teacher_sales(teacher_id: str) -> str:
    return compose("TEACHER", teacher_id, "SALES")


def totals_partition(teacher_id: str) -> str:
    return compose("TEACHER", teacher_id, "TOTALS")


def sales_total_key(teacher_id: str, course_id: str, currency: str) -> dict[str, str]:
    """A running total of one course's sales in one currency (money never mixes currencies)."""
    return key(totals_partition(teacher_id), compose("COURSE", course_id, currency))


def checkout_key(user_id: str, course_id: str) -> dict[str, str]:
    """The user's current open order for a course: one at a time."""
    return key(compose("USER", user_id), compose("CHECKOUT", course_id))


def ownership_key(user_id: str, course_id: str) -> dict[str, str]:
    return key(compose("USER", user_id), compose("OWNS", course_id))


def attempt_key(order_id: str, provider_payment_id: str, status: str) -> dict[str, str]:
    return key(compose("ORDER", order_id), compose("PAYMENT", provider_payment_id, status))


def alert_key(alert_id: str) -> dict[str, str]:
    return key(compose("ALERT", alert_id), "ALERT")
