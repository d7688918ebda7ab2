"""Notifications' handlers: each takes its command (or event) and only what it needs.

An event becomes mails, each decided once, in the transaction that marks the event handled
(recipients are resolved when the mails are sent); the sweeps send what is due."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from notifications.adapters.mailer import Message, ResendMailer
from notifications.adapters.repository import (
    ContactLog,
    DigestRepository,
    MailRepository,
    SessionMails,
)
from notifications.commands import SendContactMessage, SendDueDigests, SendDueMail
from notifications.delivery import BATCH, MAX_PAGES, SEND_CONCURRENCY
from notifications.digests import USERS_PER_SWEEP
from notifications.domain.mail import ALERT, COURSE, INVITE, RECEIPT, SENT, Mail, mail_key
from notifications.rendering import render
from shared.clock import iso, now_iso, parse_iso, utc_now
from shared.context import correlation_id_var, event_id_var, new_id
from shared.events.contracts import (
    CANCELLED_BY_SYSTEM,
    CourseCompleted,
    MentorshipSession,
    PaymentSucceeded,
    RefundSucceeded,
    SessionBooked,
    SessionCancelled,
)
from shared.events.envelope import Envelope
from shared.ics import session_link
from shared.messaging.unit_of_work import UnitOfWork
from shared.user_settings import DEFAULT_TIMEZONE


def plan_receipt(
    event: PaymentSucceeded,
    envelope: Envelope,
    uow: UnitOfWork,
    *,
    mails: MailRepository,
    refund_window_days: float,
    refund_max_progress_percent: float,
) -> None:
    """A paid order's receipt (free enrollments have nothing to receipt)."""
    if event.amount == 0:
        return
    context: dict[str, object] = {
        "courseId": event.course_id,
        "orderId": event.order_id,
        "amount": event.amount,
        "currency": event.currency,
        "paidAt": event.paid_at,
        "refundWindowDays": f"{refund_window_days:g}",
        "refundMaxProgress": f"{refund_max_progress_percent:g}",
    }
    if event.course_title:  # what was bought, as billing sold it: no card to read at send
        context["courseTitle"] = event.course_title
    mails.add(uow, _planned("receipt", RECEIPT, envelope.event_id, event.user_id, context))


def plan_refund_receipt(
    event: RefundSucceeded, envelope: Envelope, uow: UnitOfWork, *, mails: MailRepository
) -> None:
    context: dict[str, object] = {
        "courseId": event.course_id,
        "orderId": event.order_id,
        "amount": event.amount,
        "currency": event.currency,
        "refundedAt": event.refunded_at,
        "duplicate": event.kind == "duplicate_payment",
    }
    mails.add(uow, _planned("refund", RECEIPT, envelope.event_id, event.user_id, context))


def plan_booking_mails(
    event: SessionBooked,
    envelope: Envelope,
    uow: UnitOfWork,
    *,
    mails: MailRepository,
    sessions: SessionMails,
    client_url: str,
    reminder_lead_minutes: int,
) -> None:
    """Both participants get the confirmation with the invite, and later a reminder."""
    session = event.session
    if sessions.get(session.session_id) is not None:
        return  # cancelled before this event arrived, or already planned
    remind_at = parse_iso(session.starts_at) - timedelta(minutes=reminder_lead_minutes)
    reminders: list[str] = []
    for recipient_id, context in _participants(session, client_url):
        confirmation = _planned(
            "booked", ALERT, envelope.event_id, recipient_id, context, attachments=(INVITE,)
        )
        mails.add(uow, confirmation)
        if remind_at > utc_now():
            reminder = _planned(
                "reminder", ALERT, session.session_id, recipient_id, context, iso(remind_at)
            )
            reminders.append(reminder.key)
            mails.add(uow, reminder)
    sessions.remember(uow, session.session_id, reminders)


def plan_cancellation_mails(
    event: SessionCancelled,
    envelope: Envelope,
    uow: UnitOfWork,
    *,
    mails: MailRepository,
    sessions: SessionMails,
    client_url: str,
) -> None:
    """The session's reminders stop; both participants are told, with an invite that takes
    it off their calendar (the confirmation, if still unsent, goes first: the pair reads
    right in a mailbox and a calendar)."""
    session = event.session
    known = sessions.get(session.session_id)
    for key in (known or {}).get("mailKeys", []):
        mail = mails.get(key)
        if mail is not None and mail.open:
            mails.cancel(uow, mail)
    sessions.mark_cancelled(uow, session.session_id, event.cancelled_at)
    access_ended = event.cancelled_by == CANCELLED_BY_SYSTEM
    by_student = event.cancelled_by == session.student_id
    cancelled_by = session.student_name if by_student else session.teacher_name
    for recipient_id, context in _participants(session, client_url):
        context = {**context, "cancelledByName": cancelled_by, "accessEnded": access_ended}
        mails.add(
            uow,
            _planned("cancelled", ALERT, envelope.event_id, recipient_id, context, None, (INVITE,)),
        )


def plan_course_completed_mail(
    event: CourseCompleted,
    envelope: Envelope,
    uow: UnitOfWork,
    *,
    mails: MailRepository,
    client_url: str,
) -> None:
    context: dict[str, object] = {
        "courseId": event.course_id,
        "completedAt": event.completed_at,
        "courseLink": f"{client_url}/courses/{event.course_id}",
    }
    mails.add(uow, _planned("course_completed", COURSE, envelope.event_id, event.user_id, context))


def _planned(
    template: str,
    category: str,
    cause: str,
    recipient_id: str,
    context: dict[str, object],
    send_at: str | None = None,
    attachments: tuple[str, ...] = (),
) -> Mail:
    """A new mail, sent under the ids of the request and event that planned it."""
    now = now_iso()
    return Mail(
        key=mail_key(template, cause, recipient_id),
        template=template,
        category=category,
        recipient_id=recipient_id,
        context=context,
        send_at=send_at or now,
        created_at=now,
        attachments=attachments,
        correlation_id=correlation_id_var.get(),
        causation_id=event_id_var.get(),
    )


def _participants(
    session: MentorshipSession, client_url: str
) -> list[tuple[str, dict[str, object]]]:
    """Each participant with what their mails say about the session and the other party."""
    common: dict[str, object] = {
        "sessionId": session.session_id,
        "courseId": session.course_id,
        "startsAt": session.starts_at,
        "endsAt": session.ends_at,
        "studentName": session.student_name,
        "teacherName": session.teacher_name,
        "link": session_link(client_url, session.session_id),
    }
    return [
        (session.student_id, {**common, "role": "student", "otherName": session.teacher_name}),
        (session.teacher_id, {**common, "role": "teacher", "otherName": session.student_name}),
    ]


def send_due_mail(
    command: SendDueMail, *, mails: MailRepository, deliver: Callable[[Mail], str]
) -> int:
    """Every mail due by `as_of` (default now), most overdue first, page by page up to
    MAX_PAGES (the rest waits for the next pass), each through `deliver`; returns how many
    went out."""
    cutoff, sent = iso(command.as_of or utc_now()), 0
    start: dict[str, Any] | None = None
    seen: set[str] = set()
    with ThreadPoolExecutor(SEND_CONCURRENCY, thread_name_prefix="mail") as senders:
        for _ in range(MAX_PAGES):
            page, start = mails.due(cutoff, BATCH, start)
            fresh = [mail for mail in page if mail.key not in seen]  # a retried mail moves on
            seen.update(mail.key for mail in fresh)
            sent += sum(outcome == SENT for outcome in senders.map(deliver, fresh))
            if start is None:
                break
    return sent


def send_due_digests(
    command: SendDueDigests,
    *,
    digests: DigestRepository,
    send_digest: Callable[[str, datetime], int],
) -> int:
    """Every digest due by `as_of` (default now), each through `send_digest`; returns how many
    went out."""
    now = command.as_of or utc_now()
    return sum(
        send_digest(user_id, now) for user_id in digests.due_users(iso(now), USERS_PER_SWEEP)
    )


def send_contact_message(
    command: SendContactMessage,
    *,
    contacts: ContactLog,
    mailer: ResendMailer,
    support_address: str,
) -> str:
    """Resend's id of the message, mailed to support with reply-to the sender. A retry with
    the same idempotency key answers the same id and sends nothing."""
    key = command.idempotency_key
    fingerprint = hashlib.sha256(key.encode()).hexdigest() if key else None
    if fingerprint and (sent_id := contacts.sent_id(fingerprint)):
        return sent_id
    sent_at = now_iso()
    values = {
        "name": command.name,
        "email": command.email,
        "subject": command.subject,
        "message": command.message,
        "sentAt": sent_at,
    }
    rendered = render("contact", values, ZoneInfo(DEFAULT_TIMEZONE))
    mail = Message(
        to=support_address,
        subject=rendered.subject,
        html=rendered.html,
        text=rendered.text,
        reply_to=command.email,
    )
    email_id = mailer.send(mail, f"contact/{fingerprint or new_id()}")
    if fingerprint:
        contacts.record(fingerprint, email_id, sent_at)
    return email_id
