"""Sends the daily and weekly digests that are due: one mail collecting a user's course news."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from notifications.adapters.mailer import MailRejected, MailUnavailable, Message
from notifications.delivery import CARD_WAIT_ATTEMPTS, enriched
from notifications.domain.digest_schedule import next_digest_at
from notifications.rendering import render
from shared.clerk import ClerkFailed, UserNotFound
from shared.clock import iso, utc_now
from shared.user_settings import DEFAULT_TIMEZONE

if TYPE_CHECKING:
    from notifications.bootstrap import Notifications

log = logging.getLogger(__name__)

BATCH = 25


def send_due_digests(app: Notifications, as_of: datetime | None = None) -> int:
    """Every digest due by `as_of` (default now); returns how many went out."""
    now = as_of or utc_now()
    sent = 0
    for user_id in app.digests.due_users(iso(now), BATCH):
        try:
            sent += send_digest(app, user_id, now)
        except (ClerkFailed, MailUnavailable) as exc:
            log.warning("digest deferred", extra={"user_id": user_id, "error": str(exc)})
    return sent


def send_digest(app: Notifications, user_id: str, now: datetime) -> int:
    """The user's waiting entries in one mail; the next digest is scheduled if more came."""
    entries = app.digests.entries(user_id)
    try:
        recipient = app.directory.recipient(user_id)
    except UserNotFound:
        recipient = None
    preferences = recipient.preferences if recipient else None
    frequency = "weekly" if preferences and preferences.frequency == "weekly" else "daily"
    went_out = 0
    if entries and recipient and recipient.email and preferences:
        contexts = [enriched(app, e.context, CARD_WAIT_ATTEMPTS) or e.context for e in entries]
        values = {"firstName": recipient.first_name, "frequency": frequency, "entries": contexts}
        rendered = render("digest", values, preferences.zone)
        fingerprint = hashlib.sha256("\n".join(sorted(e.key for e in entries)).encode())
        try:
            app.mailer.send(
                Message(recipient.email, rendered.subject, rendered.html, rendered.text),
                f"digest/{user_id}/{fingerprint.hexdigest()[:32]}",
            )
            went_out = 1
        except MailRejected as exc:
            log.error("digest rejected", extra={"user_id": user_id, "error": str(exc)})
    zone = preferences.zone if preferences else ZoneInfo(DEFAULT_TIMEZONE)
    next_due = next_digest_at(now, frequency, zone, app.digest_hour)
    app.digests.sent(user_id, entries, iso(next_due))
    return went_out
