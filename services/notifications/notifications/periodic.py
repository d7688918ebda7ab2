"""Notifications' periodic jobs, run by its relay: send due mails (reminders too) and digests."""

from __future__ import annotations

from functools import partial

from notifications import bootstrap
from notifications.commands import SendDueDigests, SendDueMail
from shared.messaging.periodic import PeriodicJob
from shared.runtime import Runtime

DIGEST_SWEEP_SECONDS = 60


def jobs(runtime: Runtime) -> list[PeriodicJob]:
    """Notifications wired on the relay's runtime: the mail sweep, and digests at most a minute
    apart."""
    app = bootstrap.build(runtime)
    every = runtime.settings.mail.sweep_interval_seconds
    return [
        PeriodicJob("send-due-mail", every, partial(app.send_due_mail, SendDueMail())),
        PeriodicJob(
            "send-due-digests",
            max(every, DIGEST_SWEEP_SECONDS),
            partial(app.send_due_digests, SendDueDigests()),
        ),
    ]
