"""Notifications' periodic jobs, run by its relay: send due mails (reminders too) and digests."""

from __future__ import annotations

from notifications import bootstrap, delivery, digests
from shared.config import Settings
from shared.messaging.periodic import PeriodicJob

DIGEST_SWEEP_SECONDS = 60


def jobs(settings: Settings) -> list[PeriodicJob]:
    app = bootstrap.build(settings)
    every = settings.mail.sweep_interval_seconds
    return [
        PeriodicJob("send-due-mail", every, lambda: delivery.send_due(app)),
        PeriodicJob(
            "send-due-digests",
            max(every, DIGEST_SWEEP_SECONDS),
            lambda: digests.send_due_digests(app),
        ),
    ]
