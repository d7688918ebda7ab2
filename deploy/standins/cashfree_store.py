"""In-memory Cashfree orders, payments and refunds, with the state rules of the real gateway."""

from __future__ import annotations

import itertools
import secrets
import threading
import uuid
from datetime import timedelta
from typing import Any

from standins.cashfree_errors import CashfreeError, order_not_found
from standins.cashfree_models import Order, Payment, Refund
from standins.cashfree_payloads import Event, payment_event, refund_event
from standins.cashfree_validation import OrderRequest, RefundRequest
from standins.clock import now
from standins.ids import random_alphanumeric, random_digits
from standins.money import to_decimal

DEFAULT_ORDER_LIFETIME = timedelta(days=30)
PAYMENT_OUTCOMES = ("SUCCESS", "FAILED", "USER_DROPPED")
SIMULATED_REFUND_OUTCOMES = ("FAILED", "PENDING", "CANCELLED")


class OrderStore:
    """Orders keyed by order id, guarded by one lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._orders: dict[str, Order] = {}
        self._order_ids_by_session: dict[str, str] = {}
        self._cf_ids = itertools.count(2_149_460_581 + secrets.randbelow(10**8))

    def create(self, request: OrderRequest) -> dict[str, Any]:
        """Create an ACTIVE order; 409 if the order id is taken."""
        created_at = now()
        with self._lock:
            order_id = request.order_id or "order_" + random_alphanumeric(28)
            if order_id in self._orders:
                raise CashfreeError(
                    409, "order with same id is already present", "order_already_exists"
                )
            order = Order(
                order_id=order_id,
                cf_order_id=str(next(self._cf_ids)),
                amount=request.amount,
                currency=request.currency,
                customer={**request.customer, "customer_uid": str(uuid.uuid4())},
                meta=dict(request.meta),
                tags=request.tags,
                note=request.note,
                created_at=created_at,
                expiry_time=request.expiry_time or created_at + DEFAULT_ORDER_LIFETIME,
                payment_session_id="session_" + random_alphanumeric(40),
            )
            self._orders[order_id] = order
            self._order_ids_by_session[order.payment_session_id] = order_id
            return order.to_entity(created_at)

    def order(self, order_id: str) -> dict[str, Any]:
        """The order entity."""
        with self._lock:
            return self._get(order_id).to_entity(now())

    def order_id_for_session(self, payment_session_id: str) -> str | None:
        """The order a hosted-checkout session belongs to."""
        with self._lock:
            return self._order_ids_by_session.get(payment_session_id)

    def terminate(self, order_id: str) -> dict[str, Any]:
        """Terminate an ACTIVE order; a paid or expired one cannot be terminated."""
        with self._lock:
            order = self._get(order_id)
            status = order.status(now())
            if status not in ("ACTIVE", "TERMINATED"):
                raise CashfreeError(
                    400, f"order is {status} and cannot be terminated", "order_terminate_failed"
                )
            order.stored_status = "TERMINATED"
            return order.to_entity(now())

    def expire(self, order_id: str) -> dict[str, Any]:
        """Expire an order now, as if its expiry time had passed."""
        with self._lock:
            order = self._get(order_id)
            status = order.status(now())
            if status not in ("ACTIVE", "EXPIRED"):
                raise CashfreeError(409, f"order is {status} and cannot expire", "order_not_active")
            order.stored_status = "EXPIRED"
            return order.to_entity(now())

    def record_payment(self, order_id: str, outcome: str) -> tuple[Payment, Event]:
        """Record an attempt with the given outcome; an order has at most one SUCCESS."""
        at = now()
        with self._lock:
            order = self._get(order_id)
            status = order.status(at)
            if status in ("EXPIRED", "TERMINATED"):
                raise CashfreeError(
                    409, f"order is {status}, no payment possible", "order_not_active"
                )
            if outcome == "SUCCESS" and status == "PAID":
                raise CashfreeError(409, "order is already paid", "order_already_paid")
            payment = Payment(
                cf_payment_id=random_digits(10),
                order_id=order_id,
                status=outcome,
                amount=order.amount,
                currency=order.currency,
                time=at,
                bank_reference=random_digits(12) if outcome == "SUCCESS" else None,
            )
            order.payments.append(payment)
            if outcome == "SUCCESS":
                order.stored_status = "PAID"
            return payment, payment_event(order, payment, at)

    def payments(self, order_id: str) -> list[dict[str, Any]]:
        """All attempts on the order, oldest first."""
        with self._lock:
            order = self._get(order_id)
            return [payment.to_entity(order.amount) for payment in order.payments]

    def payment(self, order_id: str, cf_payment_id: str) -> dict[str, Any]:
        """One attempt; 404 if unknown."""
        for payment in self.payments(order_id):
            if payment["cf_payment_id"] == cf_payment_id:
                return payment
        raise CashfreeError(404, "payment not found", "payment_not_found")

    def create_refund(
        self, order_id: str, request: RefundRequest
    ) -> tuple[dict[str, Any], Event | None]:
        """Refund a paid order. Answers PENDING, then settles on the outcome the note picks."""
        at = now()
        with self._lock:
            order = self._get(order_id)
            existing = order.refunds.get(request.refund_id)
            if existing is not None:
                if to_decimal(existing.amount) != to_decimal(request.amount):
                    raise CashfreeError(
                        409, "refund with same id is already present", "refund_already_exists"
                    )
                return existing.to_entity(), None
            paid = order.successful_payment()
            if paid is None or order.status(at) != "PAID":
                raise CashfreeError(
                    400, "refund can be initiated only for a PAID order", "refund_invalid"
                )
            if to_decimal(request.amount) > order.refundable():
                raise CashfreeError(
                    400,
                    "refund_amount : should not exceed the paid amount less earlier refunds",
                    "refund_amount_invalid",
                )
            refund = Refund(
                cf_refund_id=random_digits(8),
                cf_payment_id=paid.cf_payment_id,
                order_id=order_id,
                refund_id=request.refund_id,
                amount=request.amount,
                currency=order.currency,
                note=request.note,
                speed=request.speed,
                created_at=at,
            )
            order.refunds[refund.refund_id] = refund
            initial = refund.to_entity()
            refund.status = _simulated_refund_outcome(request.note)
            if refund.status == "PENDING":
                return initial, None
            if refund.status == "SUCCESS":
                refund.arn = random_digits(12)
                refund.processed_at = now()
            return initial, refund_event(order, refund, now())

    def refunds(self, order_id: str) -> list[dict[str, Any]]:
        """All refunds of the order, oldest first."""
        with self._lock:
            return [refund.to_entity() for refund in self._get(order_id).refunds.values()]

    def refund(self, order_id: str, refund_id: str) -> dict[str, Any]:
        """One refund; 404 if unknown."""
        with self._lock:
            refund = self._get(order_id).refunds.get(refund_id)
            if refund is None:
                raise CashfreeError(404, "refund not found", "refund_not_found")
            return refund.to_entity()

    def _get(self, order_id: str) -> Order:
        order = self._orders.get(order_id)
        if order is None:
            raise order_not_found()
        return order


def _simulated_refund_outcome(note: str | None) -> str:
    """Cashfree's sandbox: a refund_note of FAILED, PENDING or CANCELLED picks that outcome."""
    outcome = (note or "").strip().upper()
    return outcome if outcome in SIMULATED_REFUND_OUTCOMES else "SUCCESS"
