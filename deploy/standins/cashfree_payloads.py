"""Cashfree webhook payloads, version 2023-08-01: payment events and refund status events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from standins.cashfree_models import Order, Payment, Refund
from standins.clock import ist_iso
from standins.money import Money

REFUND_STATUS_WEBHOOK = "REFUND_STATUS_WEBHOOK"


@dataclass(frozen=True)
class Event:
    """A webhook payload about an order, and the order's own notify_url if it has one."""

    order_id: str
    payload: dict[str, Any]
    notify_url: str | None


def payment_webhook_type(payment_status: str) -> str:
    """`PAYMENT_SUCCESS_WEBHOOK`, `PAYMENT_FAILED_WEBHOOK` or `PAYMENT_USER_DROPPED_WEBHOOK`."""
    return f"PAYMENT_{payment_status}_WEBHOOK"


def payment_event(order: Order, payment: Payment, at: datetime) -> Event:
    """A payment webhook; its amounts are Money so they serialise as `499.00`."""
    data: dict[str, Any] = {
        "order": {
            "order_id": order.order_id,
            "order_amount": Money(order.amount),
            "order_currency": order.currency,
            "order_tags": dict(order.tags) if order.tags is not None else None,
        },
        "payment": {
            "cf_payment_id": payment.cf_payment_id,
            "payment_status": payment.status,
            "payment_amount": Money(payment.amount),
            "payment_currency": payment.currency,
            "payment_message": payment.message,
            "payment_time": ist_iso(payment.time),
            "bank_reference": payment.bank_reference,
            "auth_id": None,
            "payment_method": payment.method,
            "payment_group": "upi",
        },
        "customer_details": {
            key: order.customer.get(key)
            for key in ("customer_name", "customer_id", "customer_email", "customer_phone")
        },
        "payment_gateway_details": {
            "gateway_name": "CASHFREE",
            "gateway_order_id": order.cf_order_id,
            "gateway_payment_id": payment.cf_payment_id,
            "gateway_order_reference_id": None,
            "gateway_settlement": "CASHFREE",
            "gateway_status_code": None,
        },
        "payment_offers": None,
    }
    error_details = payment.error_details()
    if error_details is not None:
        data["error_details"] = error_details
    payload = {
        "data": data,
        "event_time": ist_iso(at),
        "type": payment_webhook_type(payment.status),
    }
    return Event(order.order_id, payload, order.meta["notify_url"])


def refund_event(order: Order, refund: Refund, at: datetime) -> Event:
    """A `REFUND_STATUS_WEBHOOK` carrying the refund's final state."""
    payload = {
        "data": {"refund": refund.to_entity(two_decimals=True)},
        "event_time": ist_iso(at),
        "type": REFUND_STATUS_WEBHOOK,
    }
    return Event(order.order_id, payload, order.meta["notify_url"])
