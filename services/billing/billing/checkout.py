"""Create-order: the price comes from catalog, one open order per user and course."""

from __future__ import annotations

import contextlib
import hashlib
import re
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any

from billing import reconciler
from billing.adapters.cashfree import CashfreeError
from billing.adapters.repository import CheckoutTaken
from billing.domain.model import PENDING, SUCCESS, Attempt, Order
from billing.domain.money import to_major
from billing.errors import AlreadyEnrolled, CheckoutBusy, CourseNotForSale
from billing.payments import apply_attempt
from billing.schedule import first_check
from shared.clock import now_iso, parse_iso, utc_now
from shared.retry import retry_on_conflict

if TYPE_CHECKING:
    from billing.bootstrap import Billing

REUSE_MARGIN = timedelta(minutes=10)
CHECKOUT_ATTEMPTS = 3


def customer_id_for(user_id: str) -> str:
    """Cashfree wants 3 to 50 alphanumerics; Clerk ids are `user_…`."""
    cleaned = re.sub(r"[^A-Za-z0-9]", "", user_id)
    if 3 <= len(cleaned) <= 50:
        return cleaned
    return "u" + hashlib.sha256(user_id.encode()).hexdigest()[:40]


def phone_for(raw: str | None, placeholder: str) -> str:
    digits = re.sub(r"\D", "", raw or "")
    return digits[-10:] if len(digits) >= 10 else placeholder


def _reusable(order: Order | None, price: int) -> bool:
    if order is None or order.status != PENDING or order.amount != price:
        return False
    expiry = order.provider_order.get("order_expiry_time")
    return expiry is None or parse_iso(str(expiry)) > utc_now() + REUSE_MARGIN


def create_order(app: Billing, user_id: str, course_id: str) -> dict[str, Any]:
    """Cashfree's order for the browser SDK; the same open order is returned again."""
    course = app.catalog.priced_course(course_id)
    if course.status != "Published":
        raise CourseNotForSale("This course is not for sale.")

    def open_checkout(_attempt: int) -> Callable[[], dict[str, Any]]:
        """The user's open checkout for the course, reused or committed anew (a free course's
        is left to `_enroll_free`); what is left to do with it."""
        owner, open_id = app.orders.standing(user_id, course_id)
        if owner is not None:
            raise AlreadyEnrolled(user_id)
        current = app.orders.get(open_id) if open_id else None
        if current is not None and _reusable(current, course.price):
            return partial(_with_provider_order, app, current)
        superseded = current is not None and current.status == PENDING and current.sent_to_provider
        if superseded and current is not None and _retire(app, current).status == SUCCESS:
            raise AlreadyEnrolled(user_id)
        now = now_iso()
        order = Order(
            order_id=f"pl_{uuid.uuid4().hex}",
            user_id=user_id,
            course_id=course_id,
            teacher_id=course.teacher_id,
            course_title=course.title,
            amount=course.price,
            currency=course.currency,
            status=PENDING,
            created_at=now,
            updated_at=now,
            check_at=first_check(app),
        )
        if course.price == 0:
            return partial(_enroll_free, app, order, open_id)
        uow = app.runtime.unit_of_work()
        app.orders.add(uow, order, replacing=open_id)
        uow.commit()
        return partial(_with_provider_order, app, order)

    # what is left runs once, after the retries, as it did: `_enroll_free` commits the free
    # order itself, and its CheckoutTaken is not retried
    finish = retry_on_conflict(
        open_checkout,
        conflicts=(CheckoutTaken,),
        attempts=CHECKOUT_ATTEMPTS,
        give_up=lambda _: CheckoutBusy(course_id),
    )
    return finish()


def _retire(app: Billing, superseded: Order) -> Order:
    """Terminate the order a new one replaces, so it can never be paid as well. Cashfree refuses
    when it was paid (or expired) meanwhile: reconciling then records what happened."""
    with contextlib.suppress(CashfreeError):
        app.cashfree.terminate_order(superseded.order_id)
    return reconciler.reconcile_order(app, superseded)


def _with_provider_order(app: Billing, order: Order) -> dict[str, Any]:
    """Create (or fetch, idempotently) the Cashfree order and remember its session."""
    if not order.sent_to_provider:
        created = app.cashfree.create_order(_cashfree_order(app, order))
        kept = {k: created.get(k) for k in PROVIDER_FIELDS}
        updated = replace(order, provider_order=kept, updated_at=now_iso())
        uow = app.runtime.unit_of_work()
        app.orders.save(uow, updated, read_status=order.status, read_updated=order.updated_at)
        uow.commit()
        order = updated
    return {k: _number(order.provider_order.get(k)) for k in PROVIDER_FIELDS}


def _number(value: Any) -> Any:
    """Cashfree's order_amount, parsed as Decimal, which Flask would send as a JSON string (and
    the stored order, read back, as a number): always a number."""
    return float(value) if isinstance(value, Decimal) else value


def _cashfree_order(app: Billing, order: Order) -> dict[str, Any]:
    profile = app.clerk.get_user(order.user_id)
    name = profile.display_name[:100]
    return {
        "order_id": order.order_id,
        "order_amount": to_major(order.amount, order.currency),
        "order_currency": order.currency,
        "customer_details": {
            "customer_id": customer_id_for(order.user_id),
            "customer_phone": phone_for(profile.phone, app.settings.cashfree.placeholder_phone),
            "customer_email": profile.email,
            "customer_name": name if len(name) >= 3 else None,
        },
        "order_meta": {"return_url": app.settings.cashfree.return_url},
        "order_tags": {"course_id": order.course_id},
        "order_note": order.course_title[:200] if len(order.course_title) >= 3 else None,
    }


PROVIDER_FIELDS = (
    "order_id",
    "cf_order_id",
    "payment_session_id",
    "order_status",
    "order_amount",
    "order_currency",
    "order_expiry_time",
)


def _enroll_free(app: Billing, order: Order, open_id: str | None) -> dict[str, Any]:
    """A price-0 course goes through the same paid path, without Cashfree."""
    uow = app.runtime.unit_of_work()
    app.orders.add(uow, order, replacing=open_id)
    uow.commit()
    free = Attempt(f"free_{order.order_id}", SUCCESS, 0, order.currency, now_iso())
    apply_attempt(app, order.order_id, free)
    return {"order_id": order.order_id, "order_status": "PAID"}
