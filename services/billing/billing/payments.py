"""Payment attempts change orders, from the webhook or from reconciliation alike."""

from __future__ import annotations

from billing import refunds
from billing.adapters.repository import (
    AttemptRecorded,
    OrderRepository,
    OwnedThroughAnotherOrder,
    StaleOrder,
)
from billing.domain.model import FAILED, SUCCESS, Attempt, Order
from billing.ledger import Ledger
from shared.clock import as_utc_iso
from shared.events.contracts import PaymentFailed, PaymentSucceeded
from shared.messaging.unit_of_work import UnitOfWork
from shared.retry import retry_on_conflict

APPLY_ATTEMPTS = 5


class UnknownOrder(Exception):
    """No order with this id exists here."""


def apply_attempt(
    order_id: str,
    attempt: Attempt,
    *,
    ledger: Ledger,
    read: Order | None = None,
) -> Order:
    """Record the attempt once. SUCCESS pays the order and publishes PaymentSucceeded, or, when
    the buyer already owns the course through another order, records it as a duplicate and
    refunds it."""

    def record(tries: int) -> tuple[Order, bool]:
        """The order once the attempt is recorded, and whether that paid it as a duplicate."""
        order = (read if tries == 1 else None) or ledger.orders.get(order_id)
        if order is None:
            raise UnknownOrder(order_id)
        if order.paid_by(attempt):
            return order, False  # a redelivery: recorded in the transaction that paid the order
        updated = order.after(attempt)
        newly_paid = updated.status == SUCCESS and order.status != SUCCESS
        # The first try assumes nobody owns the course yet, without reading: the ownership put's
        # condition holds it to that (OwnedThroughAnotherOrder), and the next try reads. Not for
        # a refunded order, which writes no ownership to hold it.
        if newly_paid and (tries > 1 or updated.refunded):
            owner = ledger.orders.owning_order(order.user_id, order.course_id)
            if owner is not None and owner != order_id:
                updated = refunds.as_duplicate(updated, owner, ledger.schedule.first_check())
        uow = ledger.unit_of_work()
        ledger.orders.record_attempt(uow, order_id, attempt)
        if updated != order:
            ledger.orders.save(
                uow, updated, read_status=order.status, read_updated=order.updated_at
            )
        if newly_paid:
            _paid(uow, updated, attempt, orders=ledger.orders)
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
            return order, False
        return updated, newly_paid and updated.duplicate_of is not None

    # the duplicate's refund is sent once, after the retries: its own StaleOrder is not retried
    order, paid_twice = retry_on_conflict(
        record,
        conflicts=(StaleOrder, OwnedThroughAnotherOrder),
        attempts=APPLY_ATTEMPTS,
        give_up=lambda _: StaleOrder(order_id),
    )
    if paid_twice:
        ledger.orders.alert(
            "duplicate_payment", {"orderId": order_id, "ownedThrough": order.duplicate_of}
        )
        order = refunds.send(order, ledger=ledger)
    return order


def _paid(uow: UnitOfWork, order: Order, attempt: Attempt, *, orders: OrderRepository) -> None:
    """What a first successful payment writes, in the same transaction as the order."""
    if order.duplicate_of is None:
        if not order.refunded:
            orders.grant_ownership(uow, order)
        orders.count(uow, order, sales=1, refunds=int(order.refunded))
        uow.raise_event(
            PaymentSucceeded(
                order_id=order.order_id,
                user_id=order.user_id,
                course_id=order.course_id,
                amount=order.amount,
                currency=order.currency,
                provider_payment_id=attempt.provider_payment_id,
                paid_at=as_utc_iso(attempt.at),
                course_title=order.course_title,
            )
        )
    if order.refunded:  # Cashfree's refund webhook came before its payment webhook
        refunds.settle(uow, order, orders=orders, counted=True)
