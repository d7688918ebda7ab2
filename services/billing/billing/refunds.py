"""Refunds: asked for by the buyer or owed for a duplicate payment, settled by Cashfree's word."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from billing.adapters.cashfree import CashfreeError, CashfreeUnavailable
from billing.adapters.repository import StaleOrder
from billing.domain.model import (
    DUPLICATE_PAYMENT,
    FAILED_REFUND_STATES,
    FROM_PROVIDER,
    REQUESTED,
    REQUESTED_BY_STUDENT,
    SUCCESS,
    Order,
    Refund,
    RefundUpdate,
)
from billing.domain.money import to_major
from billing.domain.refund_policy import (
    IssuedShare,
    Refusal,
    refusal_for_issued_share,
    refusal_for_order,
    refusal_for_progress,
)
from billing.errors import OrderBusy, OrderNotFound, RefundRefused
from billing.schedule import first_check
from shared.clock import as_utc_iso, now_iso, utc_now
from shared.events.contracts import RefundSucceeded
from shared.messaging.unit_of_work import UnitOfWork
from shared.retry import retry_on_conflict

if TYPE_CHECKING:
    from billing.bootstrap import Billing

log = logging.getLogger(__name__)

SAVE_ATTEMPTS = 5
DUPLICATE_NOTE = "Duplicate payment for a course already owned"


def refund_id_for(order_id: str) -> str:
    """One refund per order, named by the order: a retried request can never refund twice."""
    return "rf_" + hashlib.sha256(order_id.encode()).hexdigest()[:32]


def request_refund(app: Billing, user_id: str, order_id: str, reason: str) -> tuple[Order, bool]:
    """The buyer's refund, recorded then sent to Cashfree; an existing one is returned as is."""
    policy = app.settings.billing

    def record(_attempt: int) -> tuple[Order, bool]:
        """The order with its refund, and whether it was recorded now."""
        order = app.orders.get(order_id)
        if order is None or order.user_id != user_id:
            raise OrderNotFound(order_id)
        if order.refund is not None:
            return order, False
        refusal = refusal_for_order(
            order, utc_now(), policy.refund_window_days
        ) or _refusal_for_use(app, order)
        if refusal is not None:
            raise RefundRefused(refusal)
        recorded = with_new_refund(app, order, REQUESTED_BY_STUDENT, reason)
        uow = app.runtime.unit_of_work()
        app.orders.save(uow, recorded, read_status=order.status, read_updated=order.updated_at)
        uow.commit()
        return recorded, True

    # sent once, after the retries: a StaleOrder of `send`'s own is not retried here
    order, recorded_now = retry_on_conflict(
        record,
        conflicts=(StaleOrder,),
        attempts=SAVE_ATTEMPTS,
        give_up=lambda _: OrderBusy(order_id),
    )
    return (send(app, order), True) if recorded_now else (order, False)


def _refusal_for_use(app: Billing, order: Order) -> Refusal | None:
    """The buyer had what they paid for: the progress their player reported, or the share of
    the paid videos whose playback URLs we issued them (course page and stream endpoint)."""
    limit = app.settings.billing.refund_max_progress_percent
    standing = app.enrollment.standing(order.user_id, order.course_id)
    progress = refusal_for_progress(standing.overall_progress, limit)
    if progress is not None:
        return progress
    played = app.catalog.course_playback(order.course_id, order.user_id)
    share = IssuedShare(played.paid_videos, played.issued | standing.issued_chapters)
    return refusal_for_issued_share(share, limit)


def with_new_refund(app: Billing, order: Order, kind: str, reason: str) -> Order:
    """The order with a full refund recorded but not yet sent to Cashfree."""
    now = now_iso()
    refund = Refund(
        refund_id=refund_id_for(order.order_id),
        amount=order.amount,
        currency=order.currency,
        status=REQUESTED,
        kind=kind,
        reason=reason,
        created_at=now,
        updated_at=now,
    )
    return replace(order, refund=refund, updated_at=now, check_at=first_check(app))


def as_duplicate(app: Billing, order: Order, owning_order_id: str) -> Order:
    """A paid order for a course its buyer already owns: marked, and its refund recorded."""
    duplicate = replace(order, duplicate_of=owning_order_id)
    if duplicate.refund is not None:
        return duplicate
    return with_new_refund(app, duplicate, DUPLICATE_PAYMENT, DUPLICATE_NOTE)


def send(app: Billing, order: Order) -> Order:
    """Ask Cashfree for the recorded refund; if it cannot be reached, the reconciler retries."""
    refund = order.refund
    if refund is None or refund.status != REQUESTED:
        return order
    request: dict[str, Any] = {
        "refund_id": refund.refund_id,
        "refund_amount": to_major(refund.amount, refund.currency),
        "refund_note": _note(refund.reason),
    }
    try:
        entity = app.cashfree.create_refund(order.order_id, request)
    except CashfreeUnavailable as exc:
        log.warning("refund not sent", extra={"order_id": order.order_id, "error": str(exc)})
        return order
    except CashfreeError as exc:
        app.orders.alert(
            "refund_refused", {"orderId": order.order_id, "code": exc.code, "error": str(exc)}
        )
        return apply_update(
            app, order.order_id, RefundUpdate(refund.refund_id, "FAILED", now_iso())
        )
    return apply_update(app, order.order_id, update_from_entity(entity))


def _note(reason: str) -> str | None:
    """Cashfree's refund_note is 3 to 100 characters."""
    note = " ".join(reason.split())[:100]
    return note if len(note) >= 3 else None


def update_from_entity(entity: dict[str, Any]) -> RefundUpdate:
    """A RefundEntity (API answer or webhook `data.refund`) as an update of our refund."""
    at = entity.get("processed_at") or entity.get("created_at")
    return RefundUpdate(
        refund_id=str(entity.get("refund_id") or ""),
        status=str(entity.get("refund_status") or ""),
        at=as_utc_iso(str(at)) if at else now_iso(),
        cf_refund_id=str(entity["cf_refund_id"]) if entity.get("cf_refund_id") else None,
    )


def apply_update(
    app: Billing, order_id: str, update: RefundUpdate, read: Order | None = None
) -> Order:
    """Move the order's refund to Cashfree's state, once; SUCCESS on a paid order settles it."""

    def move(tries: int) -> Order:
        order = (read if tries == 1 else None) or app.orders.get(order_id)
        if order is None:
            raise LookupError(order_id)
        refund = order.refund or _from_provider(order, update)
        if refund.refund_id != update.refund_id:
            app.orders.alert("unknown_refund", {"orderId": order_id, "refundId": update.refund_id})
            return order
        changed = refund.after(update.status, update.at, update.cf_refund_id)
        if changed == order.refund:
            return order
        updated = replace(order, refund=changed, updated_at=now_iso())
        uow = app.runtime.unit_of_work()
        app.orders.save(uow, updated, read_status=order.status, read_updated=order.updated_at)
        if changed.status == SUCCESS and updated.status == SUCCESS:
            settle(app, uow, updated)
        uow.commit()
        if changed.status in FAILED_REFUND_STATES:
            app.orders.alert("refund_failed", {"orderId": order_id, "status": changed.status})
        return updated

    return retry_on_conflict(
        move,
        conflicts=(StaleOrder,),
        attempts=SAVE_ATTEMPTS,
        give_up=lambda _: StaleOrder(order_id),
    )


def _from_provider(order: Order, update: RefundUpdate) -> Refund:
    """A full refund made outside ProLearn (Cashfree's dashboard): taken as ours."""
    return Refund(
        refund_id=update.refund_id,
        amount=order.amount,
        currency=order.currency,
        status=REQUESTED,
        kind=FROM_PROVIDER,
        reason="",
        created_at=update.at,
        updated_at=update.at,
    )


def settle(app: Billing, uow: UnitOfWork, order: Order, counted: bool = False) -> None:
    """A paid order's money went back: the course is no longer the buyer's (same transaction).
    `counted`: the caller already added the refund to the totals."""
    refund = order.refund
    if refund is None or refund.status != SUCCESS:
        raise ValueError(f"{order.order_id}: no successful refund to settle")
    if order.duplicate_of is None:
        app.orders.release_ownership(uow, order)
        if not counted:
            app.orders.count(uow, order, refunds=1)
    uow.raise_event(
        RefundSucceeded(
            order_id=order.order_id,
            refund_id=refund.refund_id,
            user_id=order.user_id,
            course_id=order.course_id,
            amount=refund.amount,
            currency=refund.currency,
            refunded_at=refund.processed_at or refund.updated_at,
            kind=refund.kind,
        )
    )
