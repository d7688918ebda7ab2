"""An order and what a payment attempt does to it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from shared.clock import as_utc_iso

PENDING, SUCCESS, FAILED = "PENDING", "SUCCESS", "FAILED"
FAILED_ATTEMPTS = ("FAILED", "USER_DROPPED", "CANCELLED", "VOID")
TERMINAL_ORDER_STATES = ("EXPIRED", "TERMINATED")

REQUESTED = "REQUESTED"
"""A refund recorded here that Cashfree has not acknowledged yet."""
OPEN_REFUND_STATES = (REQUESTED, PENDING, "ONHOLD")
FAILED_REFUND_STATES = ("FAILED", "CANCELLED")
REQUESTED_BY_STUDENT, DUPLICATE_PAYMENT, FROM_PROVIDER = (
    "requested",
    "duplicate_payment",
    "provider",
)


@dataclass(frozen=True)
class Refund:
    """The one full refund an order may have: asked for by its buyer, or for a duplicate payment."""

    refund_id: str
    amount: int
    currency: str
    status: str
    kind: str
    reason: str
    created_at: str
    updated_at: str
    cf_refund_id: str | None = None
    processed_at: str | None = None

    @property
    def open(self) -> bool:
        return self.status in OPEN_REFUND_STATES

    def after(self, status: str, at: str, cf_refund_id: str | None) -> Refund:
        """SUCCESS, FAILED and CANCELLED are final; anything else keeps the refund open."""
        if not self.open or status == self.status:
            return self
        return replace(
            self,
            status=status,
            updated_at=at,
            cf_refund_id=cf_refund_id or self.cf_refund_id,
            processed_at=at if status == SUCCESS else self.processed_at,
        )


@dataclass(frozen=True)
class Attempt:
    """One payment attempt as Cashfree reports it (webhook or payments API)."""

    provider_payment_id: str
    status: str
    amount: int
    currency: str
    at: str
    message: str | None = None


@dataclass(frozen=True)
class RefundUpdate:
    """A refund's state as Cashfree reports it (refund webhook or refunds API)."""

    refund_id: str
    status: str
    at: str
    cf_refund_id: str | None = None


@dataclass(frozen=True)
class Order:
    order_id: str
    user_id: str
    course_id: str
    teacher_id: str
    course_title: str
    amount: int
    currency: str
    status: str
    created_at: str
    updated_at: str
    provider_order: dict[str, Any] = field(default_factory=dict)
    paid_at: str | None = None
    provider_payment_id: str | None = None
    refund: Refund | None = None
    duplicate_of: str | None = None
    """The order that already gave the buyer the course, when this one paid a second time."""
    check_at: str | None = None
    """When the reconciler next asks Cashfree, while the order or its refund is open."""
    asked_at: str | None = None
    """When billing last asked Cashfree about the pending order (claimed before asking)."""

    @property
    def sent_to_provider(self) -> bool:
        return bool(self.provider_order.get("payment_session_id"))

    @property
    def refunded(self) -> bool:
        return self.refund is not None and self.refund.status == SUCCESS

    @property
    def counts_as_sale(self) -> bool:
        """A paid order that gave its buyer the course (a duplicate payment never did)."""
        return self.status == SUCCESS and self.duplicate_of is None

    def paid_by(self, attempt: Attempt) -> bool:
        """This successful attempt is the one that paid the order (so it is recorded already)."""
        return (
            self.status == SUCCESS
            and attempt.status == SUCCESS
            and attempt.provider_payment_id == self.provider_payment_id
        )

    def matches(self, amount: int, currency: str) -> bool:
        return self.amount == amount and self.currency == currency

    def after(self, attempt: Attempt) -> Order:
        """SUCCESS is final; a failure only counts while nothing succeeded."""
        if self.status == SUCCESS:
            return self
        if attempt.status == SUCCESS:
            return replace(
                self,
                status=SUCCESS,
                paid_at=as_utc_iso(attempt.at),
                provider_payment_id=attempt.provider_payment_id,
                updated_at=as_utc_iso(attempt.at),
            )
        if attempt.status in FAILED_ATTEMPTS:
            return replace(self, status=FAILED, updated_at=attempt.at)
        return self
