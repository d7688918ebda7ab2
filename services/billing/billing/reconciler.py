"""Asks Cashfree about orders and refunds whose webhook is late, and applies what it says."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING

from billing import refunds
from billing.adapters import keys
from billing.adapters.cashfree import CashfreeError, CashfreeUnavailable
from billing.adapters.repository import StaleOrder
from billing.domain.model import PENDING, TERMINAL_ORDER_STATES, Attempt, Order
from billing.domain.money import BadAmount, to_minor
from billing.payments import apply_attempt
from billing.schedule import next_check
from shared.clock import iso, now_iso, parse_iso, utc_now

if TYPE_CHECKING:
    from billing.bootstrap import Billing

log = logging.getLogger(__name__)

BATCH = 25


@dataclass(frozen=True)
class Sweep:
    """What one reconciler pass looked at and settled."""

    orders_checked: int = 0
    orders_settled: int = 0
    refunds_checked: int = 0
    refunds_settled: int = 0


def run_due(app: Billing, batch: int = BATCH) -> Sweep:
    """Every open order and refund whose check is due, most overdue first."""
    now = now_iso()
    orders = app.orders.due_for_check(keys.PENDING_ORDERS, now, batch)
    opened = app.orders.due_for_check(keys.OPEN_REFUNDS, now, batch)
    orders_settled = sum(reconcile_order(app, o).status != PENDING for o in orders)
    refunds_settled = sum(not _refund_open(reconcile_refund(app, o)) for o in opened)
    sweep = Sweep(len(orders), orders_settled, len(opened), refunds_settled)
    if orders or opened:
        log.info("reconciled", extra=sweep.__dict__)
    return sweep


def due_now(app: Billing, order: Order) -> bool:
    """A pending order old enough that its webhook should have come, not asked about within
    RECONCILE_AFTER_SECONDS (order-status asks)."""
    window = app.settings.billing.reconcile_after_seconds
    recently_asked = order.asked_at is not None and _seconds_since(order.asked_at) < window
    return order.status == PENDING and _older_than_checkout(app, order) and not recently_asked


def _seconds_since(moment: str) -> float:
    return (utc_now() - parse_iso(moment)).total_seconds()


def reconcile_order(app: Billing, order: Order, *, force: bool = False) -> Order:
    """Apply every payment Cashfree has for the order; an expired or terminated one fails.

    Cashfree is asked about an order at most once per RECONCILE_AFTER_SECONDS, however many
    polls and sweeps, on however many processes, call this: the ask is claimed first. `force`
    (an operator's command) asks regardless."""
    if order.status != PENDING:
        return order
    claimed = order if force else _claim_ask(app, order)
    if claimed is None:
        return order
    order = claimed
    try:
        order = _apply_payments(app, order)
        if order.status == PENDING:
            order = _close_if_over(app, order)
    except (CashfreeUnavailable, CashfreeError, BadAmount) as exc:
        log.warning("reconciliation failed", extra={"order_id": order.order_id, "error": str(exc)})
    return _defer(app, order) if order.status == PENDING else order


def _claim_ask(app: Billing, order: Order) -> Order | None:
    """The order as stored, now marked asked about; None if it was within the window."""
    moment = utc_now()
    window = timedelta(seconds=app.settings.billing.reconcile_after_seconds)
    return app.orders.claim_ask(order.order_id, iso(moment), iso(moment - window))


def _apply_payments(app: Billing, order: Order) -> Order:
    try:
        payments = app.cashfree.get_payments(order.order_id)
    except CashfreeError as exc:
        if exc.status == 404 and _older_than_checkout(app, order):
            return _close(app, order, "not_at_cashfree")  # we failed before Cashfree had it
        raise
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
        if attempt.status == "SUCCESS" and not order.matches(attempt.amount, attempt.currency):
            app.orders.alert("amount_mismatch", {"orderId": order.order_id, "via": "reconcile"})
            continue
        order = apply_attempt(app, order.order_id, attempt)
    return order


def _close_if_over(app: Billing, order: Order) -> Order:
    remote = app.cashfree.get_order(order.order_id)
    state = str(remote.get("order_status"))
    return _close(app, order, state) if state in TERMINAL_ORDER_STATES else order


def _close(app: Billing, order: Order, why: str) -> Order:
    """No payment can come any more: the order fails, as a CANCELLED attempt would fail it."""
    closing = Attempt(f"order_{why}", "CANCELLED", order.amount, order.currency, now_iso())
    return apply_attempt(app, order.order_id, closing)


def _older_than_checkout(app: Billing, order: Order) -> bool:
    return _seconds_since(order.created_at) >= app.settings.billing.reconcile_after_seconds


def reconcile_refund(app: Billing, order: Order) -> Order:
    """Send a refund Cashfree never got, or fetch the state of one it has."""
    refund = order.refund
    if refund is None or not refund.open:
        return order
    if not refund.cf_refund_id and refund.status == "REQUESTED":
        order = refunds.send(app, order)
    else:
        try:
            entity = app.cashfree.get_refund(order.order_id, refund.refund_id)
            order = refunds.apply_update(app, order.order_id, refunds.update_from_entity(entity))
        except (CashfreeUnavailable, CashfreeError) as exc:
            log.warning(
                "refund check failed", extra={"order_id": order.order_id, "error": str(exc)}
            )
    return _defer(app, order) if _refund_open(order) else order


def _refund_open(order: Order) -> bool:
    return order.refund is not None and order.refund.open


def _defer(app: Billing, order: Order) -> Order:
    """Still open: look again later (a concurrent change wins and is looked at on its own)."""
    deferred = replace(order, check_at=next_check(app, order))
    uow = app.runtime.unit_of_work()
    app.orders.save(uow, deferred, read_status=order.status, read_updated=order.updated_at)
    try:
        uow.commit()
    except StaleOrder:
        return order
    return deferred
