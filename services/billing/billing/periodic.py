"""Billing's periodic job, run by its relay: reconcile orders and refunds whose webhook is late."""

from __future__ import annotations

from functools import partial

from billing import bootstrap
from billing.commands import ReconcileDue
from shared.config import Settings
from shared.messaging.periodic import PeriodicJob
from shared.runtime import Runtime


def jobs(settings: Settings) -> list[PeriodicJob]:
    """The relay hands over its settings (not its runtime): billing is wired from them."""
    billing = bootstrap.build(Runtime(settings))
    every = settings.billing.reconcile_interval_seconds
    return [PeriodicJob("reconcile", every, partial(billing.reconcile_due, ReconcileDue()))]
