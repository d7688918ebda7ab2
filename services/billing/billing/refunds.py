"""Refunds: asked for by the buyer or owed for a duplicate payment, settled by Cashfree's word."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from billing.adapters.cashfree import CashfreeError, CashfreeUnavailable
from billing.adapters.catalog_client import CatalogClient
from billing.adapters.enrollment_client import EnrollmentClient
from billing.adapters.repository import OrderRepository, StaleOrder
from billing.domain.model import (
    DUPLICATE_PAYMENT,
    FAILED_REFUND_STATES,
    FROM_PROVIDER,
    REQUESTED,
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
    refusal_for_progress,
)
from billing.ledger import Ledger
from shared.clock import as_utc_iso, now_iso
from shared.events.contracts import RefundSucceeded
from shared.messaging.unit_of_work import UnitOfWork
from shared.retry import retry_on_conflict

log = logging.getLogger(__name__)

SAVE_ATTEMPTS = 5
DUPLICATE_NOTE = "Duplicate payment for a course already owned"


def refund_id_for(order_id: str) -> str:
    """One refund per order, named by the order: a retried request can never refund twice."""
    return "rf_" + hashlib.sha256(order_id.encode()).hexdigest()[:32]


def refusal_for_use(
    order: Order, *, enrollment: EnrollmentClient, catalog: CatalogClient, limit_percent: float
) -> Refusal | None:
    """The buyer had what they paid for: the progress their player reported, or the share of
    the paid videos whose playback URLs we issued them (course page and stream endpoint)."""
    standing = enrollment.standing(order.user_id, order.course_id)
    progress = refusal_for_progress(standing.overall_progress, limit_percent)
    if progress is not None:
        return progress
    played = catalog.course_playback(order.course_id, order.user_id)
    share = IssuedShare(
        played.paid_video_chapter_ids, played.issued_chapter_ids | standing.issued_chapter_ids
    )
    return refusal_for_issued_share(share, limit_percent)


def with_new_refund(order: Order, kind: str, reason: str, check_at: str) -> Order:
    """The order with a full refund recorded but not yet sent to Cashfree, checked at
    `check_at` if its webhook does not come."""
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
    return replace(order, refund=refund, updated_at=now, check_at=check_at)


def as_duplicate(order: Order, owning_order_id: str, check_at: str) -> Order:
    """A paid order for a course its buyer already owns: marked, and its refund recorded."""
    duplicate = replace(order, duplicate_of=owning_order_id)
    if duplicate.refund is not None:
        return duplicate
    return with_new_refund(duplicate, DUPLICATE_PAYMENT, DUPLICATE_NOTE, check_at)


def send(order: Order, *, ledger: Ledger) -> Order:
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
        entity = ledger.cashfree.create_refund(order.order_id, request)
    except CashfreeUnavailable as exc:
        log.warning("refund not sent", extra={"order_id": order.order_id, "error": str(exc)})
        return order
    except CashfreeError as exc:
        ledger.orders.alert(
            "refund_refused", {"orderId": order.order_id, "code": exc.code, "error": str(exc)}
        )
        update = RefundUpdate(refund.refund_id, "FAILED", now_iso())
    else:
        update = update_from_entity(entity)
    return apply_update(
        order.order_id, update, orders=ledger.orders, unit_of_work=ledger.unit_of_work
    )


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
    order_id: str,
    update: RefundUpdate,
    *,
    orders: OrderRepository,
    unit_of_work: Callable[[], UnitOfWork],
    read: Order | None = None,
) -> Order:
    """Move the order's refund to Cashfree's state, once; SUCCESS on a paid order settles it."""

    def move(tries: int) -> Order:
        order = (read if tries == 1 else None) or orders.get(order_id)
        if order is None:
            raise LookupError(order_id)
        refund = order.refund or _from_provider(order, update)
        if refund.refund_id != update.refund_id:
            orders.alert("unknown_refund", {"orderId": order_id, "refundId": update.refund_id})
            return order
        changed = refund.after(update.status, update.at, update.cf_refund_id)
        if changed == order.refund:
            return order
        updated = replace(order, refund=changed, updated_at=now_iso())
        uow = unit_of_work()
        orders.save(uow, updated, read_status=order.status, read_updated=order.updated_at)
        if changed.status == SUCCESS and updated.status == SUCCESS:
            settle(uow, updated, orders=orders)
        uow.commit()
        if changed.status in FAILED_REFUND_STATES:
            orders.alert("refund_failed", {"orderId": order_id, "status": changed.status})
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


def settle(
    uow: UnitOfWork, order: Order, *, orders: OrderRepository, counted: bool = False
) -> None:
    """A paid order's money went back: the course is no longer the buyer's (same transaction).
    `counted`: the caller already added the refund to the totals."""
    refund = order.refund
    if refund is None or refund.status != SUCCESS:
        raise ValueError(f"{order.order_id}: no successful refund to settle")
    if order.duplicate_of is None:
        orders.release_ownership(uow, order)
        if not counted:
            orders.count(uow, order, refunds=1)
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
