"""Whether a buyer may still have their money back: paid, recent, and barely watched."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from billing.domain.model import SUCCESS, Order
from shared.clock import parse_iso


@dataclass(frozen=True)
class Refusal:
    """Why a refund is refused, for a 409 the student can read."""

    code: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)


def refusal_for_order(order: Order, now: datetime, window_days: float) -> Refusal | None:
    """The rules that need nothing but the order."""
    if order.status != SUCCESS:
        return Refusal("order_not_paid", "Only a paid order can be refunded.")
    if order.duplicate_of is not None:
        return Refusal("duplicate_payment", "This duplicate payment is refunded automatically.")
    if order.amount == 0:
        return Refusal("nothing_to_refund", "A free course has nothing to refund.")
    if order.paid_at and now - parse_iso(order.paid_at) > timedelta(days=window_days):
        return Refusal(
            "refund_window_closed",
            f"Refunds are possible within {window_days:g} days of purchase.",
            {"windowDays": window_days, "paidAt": order.paid_at},
        )
    return None


def refusal_for_progress(overall_progress: float, limit_percent: float) -> Refusal | None:
    """A student who has watched this much of the course has had what they paid for."""
    if overall_progress >= limit_percent:
        return Refusal(
            "progress_limit_reached",
            f"Refunds are possible until {limit_percent:g} % of the course is completed.",
            {"overallProgress": overall_progress, "limitPercent": limit_percent},
        )
    return None
