"""Asks Cashfree about orders and refunds whose webhook is late, and applies what it says."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial

from billing import refunds
from billing.adapters.cashfree import CashfreeClient, CashfreeError, CashfreeUnavailable
from billing.adapters.repository import OrderRepository, StaleOrder
from billing.domain.model import PENDING, TERMINAL_ORDER_STATES, Attempt, Order
from billing.domain.money import BadAmount, to_minor
from billing.payments import apply_attempt
from billing.schedule import ReconcileSchedule
from shared.clock import iso, now_iso, utc_now
from shared.messaging.unit_of_work import UnitOfWork

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


def reconcile_order(
    order: Order,
    *,
    orders: OrderRepository,
    unit_of_work: Callable[[], UnitOfWork],
    cashfree: CashfreeClient,
    schedule: ReconcileSchedule,
    force: bool = False,
) -> Order:
    """Apply every payment Cashfree has for the order; an expired or terminated one fails.

    Cashfree is asked about an order at most once per RECONCILE_AFTER_SECONDS (the schedule's
    window), however many polls and sweeps, on however many processes, call this: the ask is
    claimed first. `force` (an operator's command) asks regardless."""
    if order.status != PENDING:
        return order
    if not force:
        moment = utc_now()
        claimed = orders.claim_ask(order.order_id, iso(moment), iso(moment - schedule.window))
        if claimed is None:
            return order
        order = claimed
    apply = partial(
        apply_attempt,
        orders=orders,
        unit_of_work=unit_of_work,
        cashfree=cashfree,
        schedule=schedule,
    )
    try:
        order = _apply_payments(
            order, cashfree=cashfree, orders=orders, apply=apply, schedule=schedule
        )
        if order.status == PENDING:
            order = _close_if_over(order, cashfree=cashfree, apply=apply)
    except (CashfreeUnavailable, CashfreeError, BadAmount) as exc:
        log.warning("reconciliation failed", extra={"order_id": order.order_id, "error": str(exc)})
    return _defer(order, orders, unit_of_work, schedule) if order.status == PENDING else order


ApplyAttempt = Callable[[str, Attempt], Order]
"""`payments.apply_attempt` bound to its adapters."""


def _apply_payments(
    order: Order,
    *,
    cashfree: CashfreeClient,
    orders: OrderRepository,
    apply: ApplyAttempt,
    schedule: ReconcileSchedule,
) -> Order:
    try:
        payments = cashfree.get_payments(order.order_id)
    except CashfreeError as exc:
        if exc.status == 404 and schedule.past_window(order.created_at):
            return _close(order, "not_at_cashfree", apply)  # we failed before Cashfree had it
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
            orders.alert("amount_mismatch", {"orderId": order.order_id, "via": "reconcile"})
            continue
        order = apply(order.order_id, attempt)
    return order


def _close_if_over(order: Order, *, cashfree: CashfreeClient, apply: ApplyAttempt) -> Order:
    remote = cashfree.get_order(order.order_id)
    state = str(remote.get("order_status"))
    return _close(order, state, apply) if state in TERMINAL_ORDER_STATES else order


def _close(order: Order, why: str, apply: ApplyAttempt) -> Order:
    """No payment can come any more: the order fails, as a CANCELLED attempt would fail it."""
    closing = Attempt(f"order_{why}", "CANCELLED", order.amount, order.currency, now_iso())
    return apply(order.order_id, closing)


def reconcile_refund(
    order: Order,
    *,
    orders: OrderRepository,
    unit_of_work: Callable[[], UnitOfWork],
    cashfree: CashfreeClient,
    schedule: ReconcileSchedule,
) -> Order:
    """Send a refund Cashfree never got, or fetch the state of one it has."""
    refund = order.refund
    if refund is None or not refund.open:
        return order
    if not refund.cf_refund_id and refund.status == "REQUESTED":
        order = refunds.send(order, orders=orders, unit_of_work=unit_of_work, cashfree=cashfree)
    else:
        try:
            entity = cashfree.get_refund(order.order_id, refund.refund_id)
            update = refunds.update_from_entity(entity)
            order = refunds.apply_update(
                order.order_id, update, orders=orders, unit_of_work=unit_of_work
            )
        except (CashfreeUnavailable, CashfreeError) as exc:
            log.warning(
                "refund check failed", extra={"order_id": order.order_id, "error": str(exc)}
            )
    return _defer(order, orders, unit_of_work, schedule) if refund_open(order) else order


def refund_open(order: Order) -> bool:
    return order.refund is not None and order.refund.open


def _defer(
    order: Order,
    orders: OrderRepository,
    unit_of_work: Callable[[], UnitOfWork],
    schedule: ReconcileSchedule,
) -> Order:
    """Still open: look again later (a concurrent change wins and is looked at on its own)."""
    deferred = replace(order, check_at=schedule.next_check(order))
    uow = unit_of_work()
    orders.save(uow, deferred, read_status=order.status, read_updated=order.updated_at)
    try:
        uow.commit()
    except StaleOrder:
        return order
    return deferred
