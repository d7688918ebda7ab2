"""A mail to a user: what to say (template + context), when, and how it went."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from shared.clock import iso

RECEIPT, ALERT, COURSE = "receipt", "alert", "course"
"""Receipts always go out; alerts (bookings, reminders) only with emailAlerts on; course
notifications also need courseNotifications and may wait for a digest."""

PENDING, SENDING, SENT = "PENDING", "SENDING", "SENT"
SKIPPED, CANCELLED, DIGESTED, FAILED = "SKIPPED", "CANCELLED", "DIGESTED", "FAILED"
OPEN_STATES = (PENDING, SENDING)
INVITE = "invite.ics"
"""The calendar invite a session's mails carry (a cancelling one with a cancellation)."""
FIRST_RETRY_DELAY = timedelta(seconds=10)
MAX_RETRY_DELAY = timedelta(minutes=15)


@dataclass(frozen=True)
class Mail:
    """One mail to one user. `key` is also Resend's Idempotency-Key: a mail is sent once."""

    key: str
    template: str
    category: str
    recipient_id: str
    context: dict[str, Any]
    send_at: str
    created_at: str
    status: str = PENDING
    attempts: int = 0
    provider_id: str | None = None
    note: str | None = None
    attachments: tuple[str, ...] = field(default=())
    """Names of attachments rendered with the mail (`invite.ics`)."""
    correlation_id: str | None = None
    causation_id: str | None = None
    """The request and the event that planned the mail: its sending is logged under them."""

    @property
    def open(self) -> bool:
        return self.status in OPEN_STATES

    def finished(
        self, status: str, note: str | None = None, provider_id: str | None = None
    ) -> Mail:
        return replace(self, status=status, note=note, provider_id=provider_id)

    def retried(self, reason: str, allowed_attempts: int, now: datetime) -> Mail:
        """Back to pending after a failed attempt, a little later each time (10 s, 20 s … up
        to 15 min); FAILED once it has been tried `allowed_attempts` times."""
        attempts = self.attempts + 1
        if attempts >= allowed_attempts:
            return replace(self, attempts=attempts).finished(FAILED, reason)
        delay = min(FIRST_RETRY_DELAY * 2 ** (attempts - 1), MAX_RETRY_DELAY)
        return replace(
            self, status=PENDING, attempts=attempts, send_at=iso(now + delay), note=reason
        )


def mail_key(template: str, cause: str, recipient_id: str) -> str:
    """`<template>/<cause>/<recipient>`: the cause is the event id, or the session for reminders."""
    return f"{template}/{cause}/{recipient_id}"
