"""Sends one due mail: resolve the reader, honour their settings, render, send once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from notifications.adapters.directory import Directory, Recipient
from notifications.adapters.mailer import Attachment, Message, ResendMailer
from notifications.adapters.repository import DigestRepository, MailRepository
from notifications.domain.digest_schedule import next_digest_at
from notifications.domain.mail import DIGESTED, FAILED, INVITE, SENT, SKIPPED, Mail
from notifications.domain.preferences import DIGEST, SKIP, decide
from notifications.errors import MailRejected, MailUnavailable
from notifications.rendering import render
from shared.clerk import ClerkFailed, UserNotFound
from shared.clock import iso, parse_iso, utc_now
from shared.context import bound
from shared.ics import mentorship_invite
from shared.messaging.unit_of_work import UnitOfWork
from shared.readmodels.course_cards import CourseCards

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=30)
"""How long a claimed mail is the claimer's: one send (Clerk, then Resend, each with a timeout
of seconds) fits well inside it, and a relay killed mid-send gives its mail back this soon. A
lease that runs out under a slow send costs at most a second call with the same Idempotency-Key,
which Resend answers without sending again."""
BATCH = 25
MAX_PAGES = 40
CARD_WAIT_ATTEMPTS = 3
"""A mail about a course whose card has not arrived waits this many times, then says less."""
SEND_CONCURRENCY = 8
"""Mails of one page sent at once: each waits mostly on Clerk, Resend and DynamoDB, and each is
claimed with a conditional write, so they cannot collide."""
TAKEN = "taken"
"""What `deliver` answers for a mail another sender holds."""


@dataclass(frozen=True)
class Attempt:
    """How one attempt left a mail; `digest_due` is set when it joins the reader's digest."""

    mail: Mail
    digest_due: str | None = None


def deliver(
    mail: Mail,
    *,
    mails: MailRepository,
    digests: DigestRepository,
    unit_of_work: Callable[[], UnitOfWork],
    directory: Directory,
    cards: CourseCards,
    mailer: ResendMailer,
    digest_hour: int,
    send_attempts: int,
) -> str:
    """One mail to its reader, or to their digest, or nowhere; a failure retries with backoff.
    What is logged meanwhile carries the ids of the request and event that planned the mail."""
    with bound(mail.correlation_id, mail.causation_id):
        now = utc_now()
        if not mails.claim(mail, iso(now), iso(now + LEASE)):
            return TAKEN
        attempt = _attempt(
            mail,
            directory=directory,
            cards=cards,
            mailer=mailer,
            digest_hour=digest_hour,
            send_attempts=send_attempts,
        )
        if attempt.digest_due is None:
            mails.settle(attempt.mail)
        else:
            uow = unit_of_work()
            digests.hold(uow, attempt.mail, attempt.digest_due)
            uow.commit()
        return attempt.mail.status


def _attempt(
    mail: Mail,
    *,
    directory: Directory,
    cards: CourseCards,
    mailer: ResendMailer,
    digest_hour: int,
    send_attempts: int,
) -> Attempt:
    try:
        recipient = directory.recipient(mail.recipient_id)
    except UserNotFound:
        return Attempt(mail.finished(SKIPPED, "no such user"))
    except ClerkFailed as exc:
        return Attempt(_retried(mail, str(exc), send_attempts))
    preferences = recipient.preferences
    decision = decide(mail.category, preferences)
    if decision == SKIP:
        return Attempt(mail.finished(SKIPPED, "the reader's settings"))
    if decision == DIGEST:
        due = next_digest_at(utc_now(), preferences.frequency, preferences.zone, digest_hour)
        return Attempt(mail.finished(DIGESTED, f"{preferences.frequency} digest"), iso(due))
    if not recipient.email:
        return Attempt(mail.finished(SKIPPED, "no email address"))
    context = enriched(mail.context, waited=mail.attempts, cards=cards)
    if context is None:
        return Attempt(_retried(mail, "the course card has not arrived yet", send_attempts))
    try:
        provider_id = mailer.send(compose(mail, context, recipient), mail.key)
    except MailUnavailable as exc:
        return Attempt(_retried(mail, str(exc), send_attempts))
    except MailRejected as exc:
        log.error("mail rejected", extra={"mail": mail.key, "error": str(exc)})
        return Attempt(mail.finished(FAILED, str(exc)))
    log.info("mail sent", extra={"mail": mail.key, "template": mail.template})
    return Attempt(mail.finished(SENT, provider_id=provider_id))


def enriched(context: dict[str, Any], *, waited: int, cards: CourseCards) -> dict[str, Any] | None:
    """The mail's context with the course's title and teacher, from the course cards, unless
    the event that planned it named the course already (a receipt); None while the card has
    not arrived and the mail may still wait for it."""
    course_id = context.get("courseId")
    if not course_id or "courseTitle" in context:
        return context
    card = cards.get(str(course_id))
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
    if name != INVITE:
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


def _retried(mail: Mail, reason: str, send_attempts: int) -> Mail:
    later = mail.retried(reason, send_attempts, utc_now())
    if later.status == FAILED:
        log.error("mail given up", extra={"mail": mail.key, "error": reason})
    else:
        log.warning("mail deferred", extra={"mail": mail.key, "error": reason})
    return later
