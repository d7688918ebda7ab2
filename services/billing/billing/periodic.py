"""Billing's periodic job, run by its relay: reconcile orders and refunds whose webhook is late."""

from __future__ import annotations

from functools import partial

from billing import bootstrap
from billing.commands import ReconcileDue
from shared.messaging.periodic import PeriodicJob
from shared.runtime import Runtime


def jobs(runtime: Runtime) -> list[PeriodicJob]:
    """Billing wired on the relay's runtime, its reconciler every RECONCILE_INTERVAL_SECONDS."""
    billing = bootstrap.build(runtime)
    every = runtime.settings.billing.reconcile_interval_seconds
    return [PeriodicJob("reconcile", every, partial(billing.reconcile_due, ReconcileDue()))]
