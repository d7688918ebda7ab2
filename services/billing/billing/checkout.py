"""Create-order's rules: the price comes from catalog, one open order per user and course."""

from __future__ import annotations

import contextlib
import hashlib
import re
import uuid
from dataclasses import replace
from datetime import timedelta
from typing import Any

from billing import reconciler, views
from billing.adapters.cashfree import CashfreeError
from billing.domain.model import PENDING, SUCCESS, Attempt, Order
from billing.domain.money import to_major
from billing.ledger import Ledger
from billing.payments import apply_attempt
from shared.api.internal import PricedCourse
from shared.api.payments import CashfreeOrder, FreeOrder
from shared.clerk import ClerkClient, UserProfile
from shared.clock import now_iso, parse_iso, utc_now

REUSE_MARGIN = timedelta(minutes=10)
PROVIDER_FIELDS = tuple(CashfreeOrder.model_fields)


def customer_id_for(user_id: str) -> str:
    """Cashfree wants 3 to 50 alphanumerics; Clerk ids are `user_…`."""
    cleaned = re.sub(r"[^A-Za-z0-9]", "", user_id)
    if 3 <= len(cleaned) <= 50:
        return cleaned
    return "u" + hashlib.sha256(user_id.encode()).hexdigest()[:40]


def phone_for(raw: str | None, placeholder: str) -> str:
    digits = re.sub(r"\D", "", raw or "")
    return digits[-10:] if len(digits) >= 10 else placeholder


def reusable(order: Order, price: int) -> bool:
    """An open order at today's price that Cashfree keeps open a while yet."""
    if order.status != PENDING or order.amount != price:
        return False
    expiry = order.provider_order.get("order_expiry_time")
    return expiry is None or parse_iso(str(expiry)) > utc_now() + REUSE_MARGIN


def superseded(order: Order) -> bool:
    """An open order already at Cashfree, which a new one would replace."""
    return order.status == PENDING and order.sent_to_provider


def new_order(user_id: str, course_id: str, course: PricedCourse, check_at: str) -> Order:
    """A new open order for the course at catalog's price, first checked at `check_at`."""
    now = now_iso()
    return Order(
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
        check_at=check_at,
    )


def retire(order: Order, *, ledger: Ledger) -> Order:
    """Terminate the order a new one replaces, so it can never be paid as well. Cashfree refuses
    when it was paid (or expired) meanwhile: reconciling then records what happened."""
    with contextlib.suppress(CashfreeError):
        ledger.cashfree.terminate_order(order.order_id)
    return reconciler.reconcile_order(order, ledger=ledger)


def with_provider_order(
    order: Order,
    *,
    ledger: Ledger,
    clerk: ClerkClient,
    return_url: str,
    placeholder_phone: str,
) -> CashfreeOrder:
    """Create (or fetch, idempotently) the Cashfree order and remember its session."""
    if not order.sent_to_provider:
        profile = clerk.get_user(order.user_id)
        created = ledger.cashfree.create_order(
            cashfree_order(
                order, profile, return_url=return_url, placeholder_phone=placeholder_phone
            )
        )
        kept = {k: created.get(k) for k in PROVIDER_FIELDS}
        updated = replace(order, provider_order=kept, updated_at=now_iso())
        uow = ledger.unit_of_work()
        ledger.orders.save(uow, updated, read_status=order.status, read_updated=order.updated_at)
        uow.commit()
        order = updated
    return views.cashfree_order(order)


def cashfree_order(
    order: Order, profile: UserProfile, *, return_url: str, placeholder_phone: str
) -> dict[str, Any]:
    """Cashfree's create-order request for our order and its buyer."""
    name = profile.display_name[:100]
    return {
        "order_id": order.order_id,
        "order_amount": to_major(order.amount, order.currency),
        "order_currency": order.currency,
        "customer_details": {
            "customer_id": customer_id_for(order.user_id),
            "customer_phone": phone_for(profile.phone, placeholder_phone),
            "customer_email": profile.email,
            "customer_name": name if len(name) >= 3 else None,
        },
        "order_meta": {"return_url": return_url},
        "order_tags": {"course_id": order.course_id},
        "order_note": order.course_title[:200] if len(order.course_title) >= 3 else None,
    }


def enroll_free(order: Order, open_id: str | None, *, ledger: Ledger) -> FreeOrder:
    """A price-0 course goes through the same paid path, without Cashfree."""
    uow = ledger.unit_of_work()
    ledger.orders.add(uow, order, replacing=open_id)
    uow.commit()
    free = Attempt(f"free_{order.order_id}", SUCCESS, 0, order.currency, now_iso())
    apply_attempt(order.order_id, free, ledger=ledger)
    return views.free_order(order)
