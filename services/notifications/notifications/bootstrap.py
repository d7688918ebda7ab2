"""Wires notifications: its adapters, and each handler bound to the adapters it needs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

from notifications import handlers
from notifications.adapters.directory import Directory
from notifications.adapters.mailer import ResendMailer
from notifications.adapters.repository import (
    ContactLog,
    DigestRepository,
    MailRepository,
    SessionMails,
)
from notifications.commands import SendContactMessage, SendDueDigests, SendDueMail
from notifications.delivery import deliver
from notifications.digests import send_digest
from shared.clerk import ClerkClient
from shared.config import Settings
from shared.events.contracts import (
    CourseCompleted,
    PaymentSucceeded,
    RefundSucceeded,
    SessionBooked,
    SessionCancelled,
)
from shared.messaging.routing import EventHandler, on, routes
from shared.readmodels.course_cards import CourseCards, course_card_routes
from shared.runtime import Runtime


@dataclass(frozen=True)
class Notifications:
    """Notifications, wired: the stores operators and tests read, and the handlers."""

    runtime: Runtime
    mails: MailRepository
    digests: DigestRepository
    sessions: SessionMails
    cards: CourseCards
    send_contact_message: Callable[[SendContactMessage], str]
    send_due_mail: Callable[[SendDueMail], int]
    """The relay's mail sweep (reminders included), and `python -m notifications send-due`."""
    send_due_digests: Callable[[SendDueDigests], int]
    on_event: Mapping[str, EventHandler]
    """What the worker runs for each event type it receives: it plans mail, the sweeps send
    it."""

    @property
    def settings(self) -> Settings:
        return self.runtime.settings


def build(runtime: Runtime) -> Notifications:
    settings = runtime.settings
    client, table = runtime.dynamodb, runtime.table
    mails, digests = MailRepository(client, table), DigestRepository(client, table)
    sessions, cards = SessionMails(client, table), CourseCards(client, table)
    directory, mailer = Directory(ClerkClient(settings.clerk)), ResendMailer(settings.mail)
    client_url = settings.client_urls[0]
    return Notifications(
        runtime=runtime,
        mails=mails,
        digests=digests,
        sessions=sessions,
        cards=cards,
        send_contact_message=partial(
            handlers.send_contact_message,
            contacts=ContactLog(client, table),
            mailer=mailer,
            support_address=settings.mail.email_user,
        ),
        send_due_mail=partial(
            handlers.send_due_mail,
            mails=mails,
            deliver=partial(
                deliver,
                mails=mails,
                digests=digests,
                unit_of_work=runtime.unit_of_work,
                directory=directory,
                cards=cards,
                mailer=mailer,
                digest_hour=settings.mail.digest_hour,
                send_attempts=settings.mail.send_attempts,
            ),
        ),
        send_due_digests=partial(
            handlers.send_due_digests,
            digests=digests,
            send_digest=partial(
                send_digest,
                digests=digests,
                directory=directory,
                cards=cards,
                mailer=mailer,
                digest_hour=settings.mail.digest_hour,
            ),
        ),
        on_event=routes(
            on(
                PaymentSucceeded,
                partial(
                    handlers.plan_receipt,
                    mails=mails,
                    refund_window_days=settings.billing.refund_window_days,
                    refund_max_progress_percent=settings.billing.refund_max_progress_percent,
                ),
            ),
            on(RefundSucceeded, partial(handlers.plan_refund_receipt, mails=mails)),
            on(
                SessionBooked,
                partial(
                    handlers.plan_booking_mails,
                    mails=mails,
                    sessions=sessions,
                    client_url=client_url,
                    reminder_lead_minutes=settings.mail.reminder_lead_minutes,
                ),
            ),
            on(
                SessionCancelled,
                partial(
                    handlers.plan_cancellation_mails,
                    mails=mails,
                    sessions=sessions,
                    client_url=client_url,
                ),
            ),
            on(
                CourseCompleted,
                partial(handlers.plan_course_completed_mail, mails=mails, client_url=client_url),
            ),
            course_card_routes(cards),
        ),
    )


def event_handlers(runtime: Runtime) -> Mapping[str, EventHandler]:
    """The worker's routing, bound to the worker's own runtime."""
    return build(runtime).on_event
