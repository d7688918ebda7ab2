"""Asks Cashfree about orders and refunds whose webhook is late, and applies what it says."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from billing import refunds
from billing.adapters.cashfree import CashfreeError, CashfreeUnavailable
from billing.adapters.repository import StaleOrder
from billing.domain.model import PENDING, TERMINAL_ORDER_STATES, Attempt, Order
from billing.domain.money import BadAmount, to_minor
from billing.ledger import Ledger
from billing.payments import apply_attempt
from billing.schedule import ReconcileSchedule
from shared.clock import iso, now_iso, utc_now

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sweep:
    """What one reconciler pass looked at and settled."""

    orders_checked: int = 0
    orders_settled: int = 0
    refunds_checked: int = 0
    refunds_settled: int = 0


def due_now(order: Order, schedule: ReconcileSchedule) -> bool:
    """A pending order old enough that its webhook should have come, not asked about within
    RECONCILE_AFTER_SECONDS, the schedule's window (order-status asks)."""
    not_asked_lately = order.asked_at is None or schedule.past_window(order.asked_at)
    return order.status == PENDING and schedule.past_window(order.created_at) and not_asked_lately


def reconcile_order(order: Order, *, ledger: Ledger, force: bool = False) -> Order:
    """Apply every payment Cashfree has for the order; an expired or terminated one fails.

    Cashfree is asked about an order at most once per RECONCILE_AFTER_SECONDS (the schedule's
    window), however many polls and sweeps, on however many processes, call this: the ask is
    claimed first. `force` (an operator's command) asks regardless."""
    if order.status != PENDING:
        return order
    if not force:
        moment = utc_now()
        claimed = ledger.orders.claim_ask(
            order.order_id, iso(moment), iso(moment - ledger.schedule.window)
        )
        if claimed is None:
            return order
        order = claimed
    try:
        order = _apply_payments(order, ledger=ledger)
        if order.status == PENDING:
            order = _close_if_over(order, ledger=ledger)
    except (CashfreeUnavailable, CashfreeError, BadAmount) as exc:
        log.warning("reconciliation failed", extra={"order_id": order.order_id, "error": str(exc)})
    return _defer(order, ledger) if order.status == PENDING else order


def _apply_payments(order: Order, *, ledger: Ledger) -> Order:
    try:
        payments = ledger.cashfree.get_payments(order.order_id)
    except CashfreeError as exc:
        if exc.status == 404 and ledger.schedule.past_window(order.created_at):
            return _close(order, "not_at_cashfree", ledger)  # we failed before Cashfree had it
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
            ledger.orders.alert("amount_mismatch", {"orderId": order.order_id, "via": "reconcile"})
            continue
        order = apply_attempt(order.order_id, attempt, ledger=ledger)
    return order


def _close_if_over(order: Order, *, ledger: Ledger) -> Order:
    remote = ledger.cashfree.get_order(order.order_id)
    state = str(remote.get("order_status"))
    return _close(order, state, ledger) if state in TERMINAL_ORDER_STATES else order


def _close(order: Order, why: str, ledger: Ledger) -> Order:
    """No payment can come any more: the order fails, as a CANCELLED attempt would fail it."""
    closing = Attempt(f"order_{why}", "CANCELLED", order.amount, order.currency, now_iso())
    return apply_attempt(order.order_id, closing, ledger=ledger)


def reconcile_refund(order: Order, *, ledger: Ledger) -> Order:
    """Send a refund Cashfree never got, or fetch the state of one it has."""
    refund = order.refund
    if refund is None or not refund.open:
        return order
    if not refund.cf_refund_id and refund.status == "REQUESTED":
        order = refunds.send(order, ledger=ledger)
    else:
        try:
            entity = ledger.cashfree.get_refund(order.order_id, refund.refund_id)
            update = refunds.update_from_entity(entity)
            order = refunds.apply_update(
                order.order_id, update, orders=ledger.orders, unit_of_work=ledger.unit_of_work
            )
        except (CashfreeUnavailable, CashfreeError) as exc:
            log.warning(
                "refund check failed", extra={"order_id": order.order_id, "error": str(exc)}
            )
    return _defer(order, ledger) if refund_open(order) else order


def refund_open(order: Order) -> bool:
    return order.refund is not None and order.refund.open


def _defer(order: Order, ledger: Ledger) -> Order:
    """Still open: look again later (a concurrent change wins and is looked at on its own)."""
    deferred = replace(order, check_at=ledger.schedule.next_check(order))
    uow = ledger.unit_of_work()
    ledger.orders.save(uow, deferred, read_status=order.status, read_updated=order.updated_at)
    try:
        uow.commit()
    except StaleOrder:
        return order
    return deferred
