"""What every order rule works with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from billing.adapters.cashfree import CashfreeClient
from billing.adapters.repository import OrderRepository
from billing.schedule import ReconcileSchedule
from shared.messaging.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Ledger:
    """The orders, the unit of work they are saved in, Cashfree, and when to ask it again."""

    orders: OrderRepository
    unit_of_work: Callable[[], UnitOfWork]
    cashfree: CashfreeClient
    schedule: ReconcileSchedule
