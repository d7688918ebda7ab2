"""Billing's handlers: each takes its command and only the adapters and settings it needs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from billing import checkout, reconciler, refunds, webhook
from billing.adapters import keys
from billing.adapters.catalog_client import CatalogClient
from billing.adapters.enrollment_client import EnrollmentClient
from billing.adapters.repository import CheckoutTaken, StaleOrder
from billing.commands import (
    CreateOrder,
    ReceiveWebhook,
    ReconcileDue,
    ReconcileOrder,
    RequestRefund,
    ShowOrderStatus,
)
from billing.domain.model import PENDING, REQUESTED_BY_STUDENT, SUCCESS, Order
from billing.domain.refund_policy import refusal_for_order
from billing.errors import (
    AlreadyEnrolled,
    CheckoutBusy,
    CourseNotForSale,
    OrderBusy,
    OrderNotFound,
    RefundRefused,
)
from billing.ledger import Ledger
from billing.reconciler import Sweep
from shared.api.payments import CreatedOrder
from shared.clerk import ClerkClient
from shared.clock import now_iso, utc_now
from shared.retry import retry_on_conflict

log = logging.getLogger(__name__)

CHECKOUT_ATTEMPTS = 3
REFUND_SAVE_ATTEMPTS = 5


@dataclass(frozen=True)
class RefundRequested:
    """The order with its refund, and whether this request recorded it."""

    order: Order
    created: bool


def create_order(
    command: CreateOrder,
    *,
    ledger: Ledger,
    catalog: CatalogClient,
    clerk: ClerkClient,
    return_url: str,
    placeholder_phone: str,
) -> CreatedOrder:
    """Cashfree's order for the browser SDK, at catalog's price; the buyer's open order for the
    course is answered again, and a free course enrolls at once."""
    user_id, course_id = command.user_id, command.course_id
    course = catalog.priced_course(course_id)
    if course.status != "Published":
        raise CourseNotForSale("This course is not for sale.")
    to_cashfree = partial(
        checkout.with_provider_order,
        ledger=ledger,
        clerk=clerk,
        return_url=return_url,
        placeholder_phone=placeholder_phone,
    )

    def open_checkout(_attempt: int) -> Callable[[], CreatedOrder]:
        """The user's open checkout for the course, reused or committed anew (a free course's
        is left to `enroll_free`); what is left to do with it."""
        owner, open_id = ledger.orders.standing(user_id, course_id)
        if owner is not None:
            raise AlreadyEnrolled(user_id)
        current = ledger.orders.get(open_id) if open_id else None
        if current is not None and checkout.reusable(current, course.price):
            return partial(to_cashfree, current)
        if (
            current is not None
            and checkout.superseded(current)
            and checkout.retire(current, ledger=ledger).status == SUCCESS
        ):
            raise AlreadyEnrolled(user_id)
        order = checkout.new_order(user_id, course_id, course, ledger.schedule.first_check())
        if course.price == 0:
            return partial(checkout.enroll_free, order, open_id, ledger=ledger)
        uow = ledger.unit_of_work()
        ledger.orders.add(uow, order, replacing=open_id)
        uow.commit()
        return partial(to_cashfree, order)

    # what is left runs once, after the retries: `enroll_free` commits the free order itself,
    # and its CheckoutTaken is not retried
    finish = retry_on_conflict(
        open_checkout,
        conflicts=(CheckoutTaken,),
        attempts=CHECKOUT_ATTEMPTS,
        give_up=lambda _: CheckoutBusy(course_id),
    )
    return finish()


def show_order_status(query: ShowOrderStatus, *, ledger: Ledger) -> Order:
    """The caller's order; a pending one whose webhook is late is reconciled with Cashfree first
    (at most one ask per window, whoever polls). OrderNotFound for anyone else's."""
    order = ledger.orders.get(query.order_id)
    if order is None or order.user_id != query.user_id:
        raise OrderNotFound(query.order_id)
    if not reconciler.due_now(order, ledger.schedule):
        return order
    return reconciler.reconcile_order(order, ledger=ledger)


def request_refund(
    command: RequestRefund,
    *,
    ledger: Ledger,
    enrollment: EnrollmentClient,
    catalog: CatalogClient,
    refund_window_days: float,
    refund_max_progress_percent: float,
) -> RefundRequested:
    """The buyer's refund of a paid order, within the window and used below the limit,
    recorded (with the reason trimmed) then sent to Cashfree; an existing one is answered as
    it is."""
    order_id = command.order_id

    def record(_attempt: int) -> RefundRequested:
        order = ledger.orders.get(order_id)
        if order is None or order.user_id != command.user_id:
            raise OrderNotFound(order_id)
        if order.refund is not None:
            return RefundRequested(order, created=False)
        refusal = refusal_for_order(order, utc_now(), refund_window_days)
        if refusal is None:
            refusal = refunds.refusal_for_use(
                order,
                enrollment=enrollment,
                catalog=catalog,
                limit_percent=refund_max_progress_percent,
            )
        if refusal is not None:
            raise RefundRefused(refusal)
        reason = command.reason.strip()
        recorded = refunds.with_new_refund(
            order, REQUESTED_BY_STUDENT, reason, ledger.schedule.first_check()
        )
        uow = ledger.unit_of_work()
        ledger.orders.save(uow, recorded, read_status=order.status, read_updated=order.updated_at)
        uow.commit()
        return RefundRequested(recorded, created=True)

    # sent once, after the retries: a StaleOrder of `send`'s own is not retried here
    requested = retry_on_conflict(
        record,
        conflicts=(StaleOrder,),
        attempts=REFUND_SAVE_ATTEMPTS,
        give_up=lambda _: OrderBusy(order_id),
    )
    if not requested.created:
        return requested
    sent = refunds.send(requested.order, ledger=ledger)
    return RefundRequested(sent, created=True)


def receive_webhook(command: ReceiveWebhook, *, ledger: Ledger, secret: str) -> str:
    """Apply a payment or refund webhook whose signature matches its exact bytes; anything
    that cannot apply is recorded for an operator. The outcome, in a word."""
    body = webhook.parse_verified(command.body, command.timestamp, command.signature, secret)
    kind = body.get("type")
    if kind in webhook.REFUND_WEBHOOKS:
        apply = webhook.apply_refund
    elif kind in webhook.PAYMENT_WEBHOOKS:
        apply = webhook.apply_payment
    else:
        log.info("webhook type not handled here", extra={"webhook_type": kind})
        return "ignored"
    return apply(body, ledger=ledger)


def reconcile_due(command: ReconcileDue, *, ledger: Ledger) -> Sweep:
    """Every open order and refund whose check is due, most overdue first."""
    now = now_iso()
    pending = ledger.orders.due_for_check(keys.PENDING_ORDERS, now, command.batch)
    opened = ledger.orders.due_for_check(keys.OPEN_REFUNDS, now, command.batch)
    orders_settled = sum(
        reconciler.reconcile_order(order, ledger=ledger).status != PENDING for order in pending
    )
    refunds_settled = sum(
        not reconciler.refund_open(reconciler.reconcile_refund(order, ledger=ledger))
        for order in opened
    )
    sweep = Sweep(len(pending), orders_settled, len(opened), refunds_settled)
    if pending or opened:
        log.info("reconciled", extra=sweep.__dict__)
    return sweep


def reconcile_order(command: ReconcileOrder, *, ledger: Ledger) -> Order:
    """Ask Cashfree about one order now, however recently it was asked, then about its refund,
    and apply what it says."""
    order = ledger.orders.get(command.order_id)
    if order is None:
        raise OrderNotFound(command.order_id)
    order = reconciler.reconcile_order(order, ledger=ledger, force=True)
    return reconciler.reconcile_refund(order, ledger=ledger)
