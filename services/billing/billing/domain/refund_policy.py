"""Whether a buyer may still have their money back: paid, recent, barely watched or opened."""

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


@dataclass(frozen=True)
class IssuedShare:
    """How much of a course's paid video a buyer was handed playback URLs for: the chapters
    with a video that are not free previews, and those of them whose URL catalog (course page)
    or enrollment (stream endpoint) issued to the buyer."""

    paid_videos: frozenset[str]
    issued: frozenset[str]

    @property
    def issued_paid(self) -> frozenset[str]:
        return self.issued & self.paid_videos

    def reaches(self, limit_percent: float) -> bool:
        return bool(self.paid_videos) and (
            len(self.issued_paid) * 100 >= limit_percent * len(self.paid_videos)
        )

    @property
    def percent(self) -> int:
        return round(100 * len(self.issued_paid) / len(self.paid_videos)) if self.paid_videos else 0


def refusal_for_issued_share(share: IssuedShare, limit_percent: float) -> Refusal | None:
    """Playback URLs are the content itself: once this much of the paid video was handed out,
    the course was delivered, whatever progress the player reported."""
    if share.reaches(limit_percent):
        return Refusal(
            "refund_content_issued",
            f"Refunds are possible until {limit_percent:g} % of the course's videos were opened.",
            {
                "issuedPercent": share.percent,
                "issuedChapters": len(share.issued_paid),
                "paidVideoChapters": len(share.paid_videos),
                "limitPercent": limit_percent,
            },
        )
    return None
