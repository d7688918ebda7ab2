"""Cashfree PG entities kept by the simulator, rendered in the 2023-08-01 wire shapes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from standins.clock import ist_iso
from standins.money import Amount, Money, to_decimal

REFUND_COUNTING_STATUSES = ("SUCCESS", "PENDING", "ONHOLD")
_ERROR_DETAILS = {
    "FAILED": ("TRANSACTION_DECLINED", "bank declined the transaction", "auth_declined"),
    "USER_DROPPED": ("USER_DROPPED", "user dropped and did not complete the payment", "dropped"),
}


def _amount(value: Amount, two_decimals: bool) -> Amount | Money:
    return Money(value) if two_decimals else value


@dataclass
class Payment:
    """One payment attempt on an order; only a SUCCESS is final."""

    cf_payment_id: str
    order_id: str
    status: str
    amount: Amount
    currency: str
    time: datetime
    bank_reference: str | None

    @property
    def message(self) -> str:
        return "00::Transaction success" if self.status == "SUCCESS" else "Transaction failed"

    @property
    def method(self) -> dict[str, Any]:
        upi_id = "testsuccess@gocash" if self.status == "SUCCESS" else "testfailure@gocash"
        return {"upi": {"channel": "collect", "upi_id": upi_id}}

    def error_details(self) -> dict[str, Any] | None:
        """Cashfree's error object for a failed or dropped attempt; None for a success."""
        if self.status not in _ERROR_DETAILS:
            return None
        code, description, reason = _ERROR_DETAILS[self.status]
        return {
            "error_code": code,
            "error_description": description,
            "error_reason": reason,
            "error_source": "customer",
            "error_code_raw": None,
            "error_description_raw": None,
        }

    def to_entity(self, order_amount: Amount) -> dict[str, Any]:
        """The PaymentEntity of `GET /orders/{id}/payments`."""
        return {
            "cf_payment_id": self.cf_payment_id,
            "order_id": self.order_id,
            "entity": "payment",
            "payment_status": self.status,
            "payment_amount": self.amount,
            "payment_currency": self.currency,
            "order_amount": order_amount,
            "payment_message": self.message,
            "payment_time": ist_iso(self.time),
            "payment_completion_time": ist_iso(self.time),
            "bank_reference": self.bank_reference,
            "auth_id": None,
            "payment_group": "upi",
            "payment_method": self.method,
            "error_details": self.error_details(),
            "is_captured": self.status == "SUCCESS",
        }


@dataclass
class Refund:
    """A merchant-initiated refund of an order's successful payment."""

    cf_refund_id: str
    cf_payment_id: str
    order_id: str
    refund_id: str
    amount: Amount
    currency: str
    note: str | None
    speed: str
    created_at: datetime
    status: str = "PENDING"
    arn: str | None = None
    processed_at: datetime | None = None

    def to_entity(self, *, two_decimals: bool = False) -> dict[str, Any]:
        """The RefundEntity; `two_decimals` writes amounts as webhooks do."""
        return {
            "cf_payment_id": self.cf_payment_id,
            "cf_refund_id": self.cf_refund_id,
            "order_id": self.order_id,
            "refund_id": self.refund_id,
            "entity": "refund",
            "refund_amount": _amount(self.amount, two_decimals),
            "refund_currency": self.currency,
            "refund_note": self.note,
            "refund_status": self.status,
            "refund_arn": self.arn,
            "refund_charge": _amount(0, two_decimals),
            "status_description": _REFUND_DESCRIPTIONS.get(self.status, self.status),
            "metadata": None,
            "refund_splits": [],
            "refund_type": "MERCHANT_INITIATED",
            "refund_mode": self.speed,
            "created_at": ist_iso(self.created_at),
            "processed_at": ist_iso(self.processed_at) if self.processed_at else None,
            "refund_speed": {
                "requested": self.speed,
                "accepted": self.speed,
                "processed": self.speed if self.status == "SUCCESS" else None,
                "message": None,
            },
        }


_REFUND_DESCRIPTIONS = {
    "PENDING": "In Progress",
    "SUCCESS": "Refund processed successfully",
    "FAILED": "Refund failed",
    "CANCELLED": "Refund cancelled",
}


@dataclass
class Order:
    """An order with its payment attempts and refunds."""

    order_id: str
    cf_order_id: str
    amount: Amount
    currency: str
    customer: dict[str, str | None]
    meta: dict[str, str | None]
    tags: dict[str, str] | None
    note: str | None
    created_at: datetime
    expiry_time: datetime
    payment_session_id: str
    stored_status: str = "ACTIVE"
    payments: list[Payment] = field(default_factory=list)
    refunds: dict[str, Refund] = field(default_factory=dict)

    def status(self, at: datetime) -> str:
        """ACTIVE turns into EXPIRED once the expiry time has passed."""
        if self.stored_status == "ACTIVE" and at >= self.expiry_time:
            return "EXPIRED"
        return self.stored_status

    def successful_payment(self) -> Payment | None:
        """The one SUCCESS attempt, if any."""
        return next((p for p in self.payments if p.status == "SUCCESS"), None)

    def refundable(self) -> Decimal:
        """The paid amount less refunds that succeeded or may still succeed."""
        refunded = sum(
            (
                to_decimal(r.amount)
                for r in self.refunds.values()
                if r.status in REFUND_COUNTING_STATUSES
            ),
            Decimal(0),
        )
        return to_decimal(self.amount) - refunded

    def to_entity(self, at: datetime) -> dict[str, Any]:
        """The order entity of `POST/GET/PATCH /orders`."""
        return {
            "cf_order_id": self.cf_order_id,
            "created_at": ist_iso(self.created_at),
            "customer_details": dict(self.customer),
            "entity": "order",
            "order_amount": self.amount,
            "payment_session_id": self.payment_session_id,
            "order_currency": self.currency,
            "order_expiry_time": ist_iso(self.expiry_time),
            "order_id": self.order_id,
            "order_meta": dict(self.meta),
            "order_note": self.note,
            "order_splits": [],
            "order_status": self.status(at),
            "order_tags": dict(self.tags) if self.tags is not None else None,
            "terminal_data": None,
        }
