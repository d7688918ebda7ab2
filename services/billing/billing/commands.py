"""What billing is asked to do, one frozen dataclass each."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CreateOrder:
    """A student asks to buy a course, at the price catalog states."""

    user_id: str
    course_id: str


@dataclass(frozen=True)
class ShowOrderStatus:
    """A buyer polls one of their orders."""

    user_id: str
    order_id: str


@dataclass(frozen=True)
class RequestRefund:
    """A buyer asks for their money back, in their own words."""

    user_id: str
    order_id: str
    reason: str


@dataclass(frozen=True)
class ReceiveWebhook:
    """Cashfree reports a payment or a refund: the exact bytes received, and their signature."""

    body: bytes
    timestamp: str
    signature: str


@dataclass(frozen=True)
class ReconcileDue:
    """The relay (or an operator) asks for one reconciler pass."""

    batch: int = 25
    """At most this many orders, and as many refunds, most overdue first."""


@dataclass(frozen=True)
class ReconcileOrder:
    """An operator asks Cashfree about one order and its refund now, however recently it was."""

    order_id: str
