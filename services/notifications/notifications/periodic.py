"""Notifications' periodic jobs, run by its relay: send due mails (reminders too) and digests."""

from __future__ import annotations

from functools import partial

from notifications import bootstrap
from notifications.commands import SendDueDigests, SendDueMail
from shared.config import Settings
from shared.messaging.periodic import PeriodicJob
from shared.runtime import Runtime

DIGEST_SWEEP_SECONDS = 60


def jobs(settings: Settings) -> list[PeriodicJob]:
    app = bootstrap.build(Runtime(settings))
    every = settings.mail.sweep_interval_seconds
    return [
        PeriodicJob("send-due-mail", every, partial(app.send_due_mail, SendDueMail())),
        PeriodicJob(
            "send-due-digests",
            max(every, DIGEST_SWEEP_SECONDS),
            partial(app.send_due_digests, SendDueDigests()),
        ),
    ]
