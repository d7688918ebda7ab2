"""When the reconciler next asks Cashfree about an open order or refund: soon, then less often."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from shared.clock import iso, parse_iso, utc_now

if TYPE_CHECKING:
    from billing.bootstrap import Billing
    from billing.domain.model import Order


def first_check(app: Billing) -> str:
    """A new order or refund is looked at once its webhook had time to come."""
    return iso(utc_now() + timedelta(seconds=app.settings.billing.reconcile_after_seconds))


def next_check(app: Billing, order: Order) -> str:
    """Still open after a check: wait as long as it has been open, within the configured bounds."""
    policy = app.settings.billing
    opened = parse_iso(order.refund.created_at if order.refund else order.created_at)
    age = (utc_now() - opened).total_seconds()
    delay = min(max(age, policy.reconcile_after_seconds), policy.reconcile_max_delay_seconds)
    return iso(utc_now() + timedelta(seconds=delay))
