"""An order and what a payment attempt does to it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from shared.clock import as_utc_iso

PENDING, SUCCESS, FAILED = "PENDING", "SUCCESS", "FAILED"
FAILED_ATTEMPTS = ("FAILED", "USER_DROPPED", "CANCELLED", "VOID")
TERMINAL_ORDER_STATES = ("EXPIRED", "TERMINATED")


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

    @property
    def sent_to_provider(self) -> bool:
        return bool(self.provider_order.get("payment_session_id"))

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
