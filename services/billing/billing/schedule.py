"""When the reconciler next asks Cashfree about an open order or refund: soon, then less often."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from billing.domain.model import Order
from shared.clock import iso, parse_iso, utc_now
from shared.config import BillingSettings


@dataclass(frozen=True)
class ReconcileSchedule:
    """How eagerly open orders and refunds are checked with Cashfree."""

    after_seconds: int
    """A new order or refund is looked at this long after it opened, and Cashfree is asked
    about an order at most once per this long."""
    max_delay_seconds: int
    """The longest wait between two checks of anything still open."""

    @classmethod
    def of(cls, policy: BillingSettings) -> ReconcileSchedule:
        return cls(policy.reconcile_after_seconds, policy.reconcile_max_delay_seconds)

    @property
    def window(self) -> timedelta:
        return timedelta(seconds=self.after_seconds)

    def first_check(self) -> str:
        """A new order or refund is looked at once its webhook had time to come."""
        return iso(utc_now() + self.window)

    def next_check(self, order: Order) -> str:
        """Still open after a check: wait as long as it has been open, within the bounds."""
        opened = parse_iso(order.refund.created_at if order.refund else order.created_at)
        age = (utc_now() - opened).total_seconds()
        delay = min(max(age, self.after_seconds), self.max_delay_seconds)
        return iso(utc_now() + timedelta(seconds=delay))

    def past_window(self, moment: str) -> bool:
        """`moment` is at least one window ago."""
        return utc_now() - parse_iso(moment) >= self.window
