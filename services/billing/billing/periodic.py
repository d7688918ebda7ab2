"""Billing's periodic job, run by its relay: reconcile orders and refunds whose webhook is late."""

from __future__ import annotations

from billing import bootstrap, reconciler
from shared.config import Settings
from shared.messaging.periodic import PeriodicJob


def jobs(settings: Settings) -> list[PeriodicJob]:
    billing = bootstrap.build(settings)
    return [
        PeriodicJob(
            "reconcile",
            settings.billing.reconcile_interval_seconds,
            lambda: reconciler.run_due(billing),
        )
    ]
