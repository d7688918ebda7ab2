"""Sends one user's digest: the course news that waited for it, in one mail."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from notifications.adapters.directory import Directory
from notifications.adapters.mailer import Message, ResendMailer
from notifications.adapters.repository import DigestRepository
from notifications.delivery import CARD_WAIT_ATTEMPTS, enriched
from notifications.domain.digest_schedule import next_digest_at
from notifications.errors import MailRejected, MailUnavailable
from notifications.rendering import render
from shared.clerk import ClerkFailed, UserNotFound
from shared.clock import iso
from shared.readmodels.course_cards import CourseCards
from shared.user_settings import DEFAULT_TIMEZONE

log = logging.getLogger(__name__)

USERS_PER_SWEEP = 25
"""Users whose digest is due, served per sweep (the rest wait for the next one)."""


def send_digest(
    user_id: str,
    now: datetime,
    *,
    digests: DigestRepository,
    directory: Directory,
    cards: CourseCards,
    mailer: ResendMailer,
    digest_hour: int,
) -> int:
    """The user's waiting entries in one mail (1 when it went out); the next digest is
    scheduled if more came. When Clerk or Resend cannot answer, it waits for the next sweep."""
    entries = digests.entries(user_id)
    try:
        recipient = directory.recipient(user_id)
    except UserNotFound:
        recipient = None
    except ClerkFailed as exc:
        return _deferred(user_id, exc)
    preferences = recipient.preferences if recipient else None
    frequency = "weekly" if preferences and preferences.frequency == "weekly" else "daily"
    went_out = 0
    if entries and recipient and recipient.email and preferences:
        contexts = [
            enriched(e.context, waited=CARD_WAIT_ATTEMPTS, cards=cards) or e.context
            for e in entries
        ]
        values = {"firstName": recipient.first_name, "frequency": frequency, "entries": contexts}
        rendered = render("digest", values, preferences.zone)
        fingerprint = hashlib.sha256("\n".join(sorted(e.key for e in entries)).encode())
        try:
            mailer.send(
                Message(recipient.email, rendered.subject, rendered.html, rendered.text),
                f"digest/{user_id}/{fingerprint.hexdigest()[:32]}",
            )
            went_out = 1
        except MailUnavailable as exc:
            return _deferred(user_id, exc)
        except MailRejected as exc:
            log.error("digest rejected", extra={"user_id": user_id, "error": str(exc)})
    zone = preferences.zone if preferences else ZoneInfo(DEFAULT_TIMEZONE)
    next_due = next_digest_at(now, frequency, zone, digest_hour)
    digests.sent(user_id, entries, iso(next_due))
    return went_out


def _deferred(user_id: str, failure: Exception) -> int:
    log.warning("digest deferred", extra={"user_id": user_id, "error": str(failure)})
    return 0
