"""Sends the mails that are due: resolve the reader, honour their settings, render, send once."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from notifications.adapters.mailer import Attachment, MailRejected, MailUnavailable, Message
from notifications.domain.digest_schedule import next_digest_at
from notifications.domain.mail import DIGESTED, FAILED, PENDING, SENT, SKIPPED, Mail
from notifications.domain.preferences import DIGEST, SKIP, decide
from notifications.rendering import render
from shared.clerk import ClerkFailed, UserNotFound
from shared.clock import iso, parse_iso, utc_now
from shared.context import bound
from shared.ics import mentorship_invite

if TYPE_CHECKING:
    from notifications.adapters.directory import Recipient
    from notifications.bootstrap import Notifications

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=30)
"""How long a claimed mail is the claimer's: one send (Clerk, then Resend, each with a timeout
of seconds) fits well inside it, and a relay killed mid-send gives its mail back this soon. A
lease that runs out under a slow send costs at most a second call with the same Idempotency-Key,
which Resend answers without sending again."""
BATCH = 25
MAX_PAGES = 40
MAX_RETRY_DELAY = timedelta(minutes=15)
CARD_WAIT_ATTEMPTS = 3
SEND_CONCURRENCY = 8
"""Mails of one page sent at once: each waits mostly on Clerk, Resend and DynamoDB, and each is
claimed with a conditional write, so they cannot collide."""
"""A mail about a course whose card has not arrived waits this many times, then says less."""


def send_due(app: Notifications, as_of: datetime | None = None, batch: int = BATCH) -> int:
    """Every mail due by `as_of` (default now), most overdue first, page by page up to
    MAX_PAGES (the rest waits for the next pass); returns how many went out."""
    cutoff, sent = iso(as_of or utc_now()), 0
    start: dict[str, Any] | None = None
    seen: set[str] = set()
    with ThreadPoolExecutor(SEND_CONCURRENCY, thread_name_prefix="mail") as senders:
        for _ in range(MAX_PAGES):
            page, start = app.mails.due(cutoff, batch, start)
            fresh = [mail for mail in page if mail.key not in seen]  # a retried mail moves on
            seen.update(mail.key for mail in fresh)
            outcomes = senders.map(lambda mail: deliver(app, mail), fresh)
            sent += sum(outcome == SENT for outcome in outcomes)
            if start is None:
                break
    return sent


def deliver(app: Notifications, mail: Mail) -> str:
    """One mail to its reader, or to their digest, or nowhere; a failure retries with backoff.
    What is logged meanwhile carries the ids of the request and event that planned the mail."""
    with bound(mail.correlation_id, mail.causation_id):
        return _deliver(app, mail)


def _deliver(app: Notifications, mail: Mail) -> str:
    now = utc_now()
    if not app.mails.claim(mail, iso(now), iso(now + LEASE)):
        return "taken"
    try:
        recipient = app.directory.recipient(mail.recipient_id)
    except UserNotFound:
        return _settle(app, mail.finished(SKIPPED, "no such user"))
    except ClerkFailed as exc:
        return _retry(app, mail, str(exc))
    decision = decide(mail.category, recipient.preferences)
    if decision == SKIP:
        return _settle(app, mail.finished(SKIPPED, "the reader's settings"))
    if decision == DIGEST:
        return _hold_for_digest(app, mail, recipient)
    if not recipient.email:
        return _settle(app, mail.finished(SKIPPED, "no email address"))
    context = enriched(app, mail.context, waited=mail.attempts)
    if context is None:
        return _retry(app, mail, "the course card has not arrived yet")
    try:
        provider_id = app.mailer.send(compose(mail, context, recipient), mail.key)
    except MailUnavailable as exc:
        return _retry(app, mail, str(exc))
    except MailRejected as exc:
        log.error("mail rejected", extra={"mail": mail.key, "error": str(exc)})
        return _settle(app, mail.finished(FAILED, str(exc)))
    log.info("mail sent", extra={"mail": mail.key, "template": mail.template})
    return _settle(app, mail.finished(SENT, provider_id=provider_id))


def enriched(app: Notifications, context: dict[str, Any], waited: int) -> dict[str, Any] | None:
    """The mail's context with the course's title and teacher, from the course cards, unless
    the event that planned it named the course already (a receipt)."""
    course_id = context.get("courseId")
    if not course_id or "courseTitle" in context:
        return context
    card = app.cards.get(str(course_id))
    if card is None:
        if waited < CARD_WAIT_ATTEMPTS:
            return None
        return {"courseTitle": "your course", "teacherName": "your teacher", **context}
    return {"teacherName": card.teacher_name, **context, "courseTitle": card.title}


def compose(mail: Mail, context: dict[str, Any], recipient: Recipient) -> Message:
    """The rendered mail for this reader, in their time zone, with its attachments."""
    values = {**context, "firstName": recipient.first_name}
    rendered = render(mail.template, values, recipient.preferences.zone)
    attachments = tuple(_attachment(name, mail, context) for name in mail.attachments)
    return Message(
        to=str(recipient.email),
        subject=rendered.subject,
        html=rendered.html,
        text=rendered.text,
        attachments=attachments,
    )


def _attachment(name: str, mail: Mail, context: dict[str, Any]) -> Attachment:
    if name != "invite.ics":
        raise ValueError(f"unknown attachment {name}")
    invite = mentorship_invite(
        session_id=str(context["sessionId"]),
        starts_at=parse_iso(str(context["startsAt"])),
        ends_at=parse_iso(str(context["endsAt"])),
        student_name=str(context["studentName"]),
        teacher_name=str(context["teacherName"]),
        link=str(context["link"]),
        cancelled=mail.template == "cancelled",
    )
    return Attachment(name, invite.encode(), "text/calendar; charset=utf-8")


def _hold_for_digest(app: Notifications, mail: Mail, recipient: Recipient) -> str:
    preferences = recipient.preferences
    due = next_digest_at(utc_now(), preferences.frequency, preferences.zone, app.digest_hour)
    uow = app.runtime.unit_of_work()
    app.digests.hold(uow, mail.finished(DIGESTED, f"{preferences.frequency} digest"), iso(due))
    uow.commit()
    return DIGESTED


def _retry(app: Notifications, mail: Mail, reason: str) -> str:
    """Back to pending, a little later each time; given up after the configured attempts."""
    attempts = mail.attempts + 1
    if attempts >= app.settings.mail.send_attempts:
        log.error("mail given up", extra={"mail": mail.key, "error": reason})
        return _settle(app, replace(mail, attempts=attempts).finished(FAILED, reason))
    delay = min(timedelta(seconds=5 * 2**attempts), MAX_RETRY_DELAY)
    log.warning("mail deferred", extra={"mail": mail.key, "error": reason})
    later = replace(mail, status=PENDING, attempts=attempts, send_at=iso(utc_now() + delay))
    _settle(app, replace(later, note=reason))
    return PENDING


def _settle(app: Notifications, mail: Mail) -> str:
    app.mails.settle(mail)
    return mail.status
