"""Payment attempts change orders, from the webhook or from reconciliation alike."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from billing.adapters.cashfree import CashfreeError, CashfreeUnavailable
from billing.adapters.repository import AttemptRecorded, StaleOrder
from billing.domain.model import FAILED, PENDING, SUCCESS, TERMINAL_ORDER_STATES, Attempt, Order
from billing.domain.money import BadAmount, to_minor
from shared.clock import as_utc_iso, now_iso, parse_iso, utc_now
from shared.events.contracts import PaymentFailed, PaymentSucceeded

if TYPE_CHECKING:
    from billing.bootstrap import Billing

log = logging.getLogger(__name__)

APPLY_ATTEMPTS = 5


class UnknownOrder(Exception):
    """No order with this id exists here."""


def apply_attempt(
    app: Billing, order_id: str, attempt: Attempt, read: Order | None = None
) -> Order:
    """Record the attempt once; SUCCESS pays the order and publishes PaymentSucceeded."""
    for _ in range(APPLY_ATTEMPTS):
        order = read or app.orders.get(order_id)
        read = None
        if order is None:
            raise UnknownOrder(order_id)
        updated = order.after(attempt)
        uow = app.runtime.unit_of_work()
        app.orders.record_attempt(uow, order_id, attempt)
        if updated != order:
            app.orders.save(uow, updated, read_status=order.status, read_updated=order.updated_at)
        if updated.status == SUCCESS and order.status != SUCCESS:
            app.orders.grant_ownership(uow, updated)
            app.orders.count_sale(uow, updated)
            uow.raise_event(
                PaymentSucceeded(
                    order_id=updated.order_id,
                    user_id=updated.user_id,
                    course_id=updated.course_id,
                    amount=updated.amount,
                    currency=updated.currency,
                    provider_payment_id=attempt.provider_payment_id,
                    paid_at=as_utc_iso(attempt.at),
                )
            )
        elif updated.status == FAILED and order.status != FAILED:
            uow.raise_event(
                PaymentFailed(
                    order_id=updated.order_id,
                    user_id=updated.user_id,
                    course_id=updated.course_id,
                    provider_payment_id=attempt.provider_payment_id,
                    payment_status=attempt.status,
                    reason=attempt.message,
                )
            )
        try:
            uow.commit()
        except AttemptRecorded:
            return order
        except StaleOrder:
            continue
        return updated
    raise StaleOrder(order_id)


def reconcile(app: Billing, order: Order) -> Order:
    """Ask Cashfree what happened to an order and apply it as the webhook would."""
    if order.status != PENDING or not order.sent_to_provider:
        return order
    try:
        payments = app.cashfree.get_payments(order.order_id)
        for payment in payments:
            currency = str(payment.get("payment_currency") or order.currency)
            attempt = Attempt(
                provider_payment_id=str(payment["cf_payment_id"]),
                status=str(payment["payment_status"]),
                amount=to_minor(payment.get("payment_amount"), currency),
                currency=currency,
                at=str(payment.get("payment_time") or now_iso()),
                message=payment.get("payment_message"),
            )
            if attempt.status == SUCCESS and not order.matches(attempt.amount, attempt.currency):
                app.orders.alert("amount_mismatch", {"orderId": order.order_id, "via": "reconcile"})
                continue
            order = apply_attempt(app, order.order_id, attempt)
        if order.status == PENDING:
            remote = app.cashfree.get_order(order.order_id)
            if remote.get("order_status") in TERMINAL_ORDER_STATES:
                state = str(remote["order_status"])
                closing = Attempt(
                    f"order_{state}", "CANCELLED", order.amount, order.currency, now_iso()
                )
                order = apply_attempt(app, order.order_id, closing)
    except (CashfreeUnavailable, CashfreeError, BadAmount) as exc:
        log.warning("reconciliation failed", extra={"order_id": order.order_id, "error": str(exc)})
    return order


def due_for_reconciliation(app: Billing, order: Order) -> bool:
    age = (utc_now() - parse_iso(order.created_at)).total_seconds()
    due: bool = order.status == PENDING and age >= app.settings.reconcile_after_seconds
    return due
