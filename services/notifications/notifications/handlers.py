"""Events become mails: each decided once, in the transaction that marks the event handled."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from notifications.adapters.repository import MailRepository, SessionMails
from notifications.domain.mail import ALERT, COURSE, RECEIPT, Mail, mail_key
from shared.clock import iso, now_iso, parse_iso, utc_now
from shared.config import Settings
from shared.context import correlation_id_var, event_id_var
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
from shared.messaging.consumer import EventHandler
from shared.messaging.unit_of_work import UnitOfWork
from shared.readmodels.course_cards import CourseCards, course_card_handlers

INVITE = "invite.ics"


@dataclass(frozen=True)
class MailPlanner:
    """Turns each event into the mails it causes (recipients are resolved when they are sent)."""

    mails: MailRepository
    sessions: SessionMails
    settings: Settings

    @property
    def client_url(self) -> str:
        return self.settings.client_urls[0]

    def _mail(
        self,
        template: str,
        category: str,
        cause: str,
        recipient_id: str,
        context: dict[str, object],
        send_at: str | None = None,
        attachments: tuple[str, ...] = (),
    ) -> Mail:
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

    def receipt(self, event: PaymentSucceeded, envelope: Envelope, uow: UnitOfWork) -> None:
        """A paid order's receipt (free enrollments have nothing to receipt)."""
        if event.amount == 0:
            return
        policy = self.settings.billing
        context: dict[str, object] = {
            "courseId": event.course_id,
            "orderId": event.order_id,
            "amount": event.amount,
            "currency": event.currency,
            "paidAt": event.paid_at,
            "refundWindowDays": f"{policy.refund_window_days:g}",
            "refundMaxProgress": f"{policy.refund_max_progress_percent:g}",
        }
        if event.course_title:  # what was bought, as billing sold it: no card to read at send
            context["courseTitle"] = event.course_title
        self.mails.add(
            uow, self._mail("receipt", RECEIPT, envelope.event_id, event.user_id, context)
        )

    def refund(self, event: RefundSucceeded, envelope: Envelope, uow: UnitOfWork) -> None:
        context: dict[str, object] = {
            "courseId": event.course_id,
            "orderId": event.order_id,
            "amount": event.amount,
            "currency": event.currency,
            "refundedAt": event.refunded_at,
            "duplicate": event.kind == "duplicate_payment",
        }
        self.mails.add(
            uow, self._mail("refund", RECEIPT, envelope.event_id, event.user_id, context)
        )

    def booked(self, event: SessionBooked, envelope: Envelope, uow: UnitOfWork) -> None:
        """Both participants get the confirmation with the invite, and later a reminder."""
        session = event.session
        known = self.sessions.get(session.session_id)
        if known is not None:
            return  # cancelled before this event arrived, or already planned
        lead = timedelta(minutes=self.settings.mail.reminder_lead_minutes)
        remind_at = parse_iso(session.starts_at) - lead
        reminders: list[str] = []
        for recipient_id, context in self._participants(session):
            confirmation = self._mail(
                "booked", ALERT, envelope.event_id, recipient_id, context, attachments=(INVITE,)
            )
            self.mails.add(uow, confirmation)
            if remind_at > utc_now():
                reminder = self._mail(
                    "reminder", ALERT, session.session_id, recipient_id, context, iso(remind_at)
                )
                reminders.append(reminder.key)
                self.mails.add(uow, reminder)
        self.sessions.remember(uow, session.session_id, reminders)

    def cancelled(self, event: SessionCancelled, envelope: Envelope, uow: UnitOfWork) -> None:
        """The session's reminders stop; both participants are told, with an invite that takes
        it off their calendar (the confirmation, if still unsent, goes first: the pair reads
        right in a mailbox and a calendar)."""
        session = event.session
        known = self.sessions.get(session.session_id)
        for key in (known or {}).get("mailKeys", []):
            mail = self.mails.get(key)
            if mail is not None and mail.open:
                self.mails.cancel(uow, mail)
        self.sessions.mark_cancelled(uow, session.session_id, event.cancelled_at)
        access_ended = event.cancelled_by == CANCELLED_BY_SYSTEM
        by_student = event.cancelled_by == session.student_id
        cancelled_by = session.student_name if by_student else session.teacher_name
        for recipient_id, context in self._participants(session):
            context = {**context, "cancelledByName": cancelled_by, "accessEnded": access_ended}
            self.mails.add(
                uow,
                self._mail(
                    "cancelled", ALERT, envelope.event_id, recipient_id, context, None, (INVITE,)
                ),
            )

    def course_completed(self, event: CourseCompleted, envelope: Envelope, uow: UnitOfWork) -> None:
        context: dict[str, object] = {
            "courseId": event.course_id,
            "completedAt": event.completed_at,
            "courseLink": f"{self.client_url}/courses/{event.course_id}",
        }
        mail = self._mail("course_completed", COURSE, envelope.event_id, event.user_id, context)
        self.mails.add(uow, mail)

    def _participants(self, session: MentorshipSession) -> list[tuple[str, dict[str, object]]]:
        """Each participant with what their mails say about the session and the other party."""
        common: dict[str, object] = {
            "sessionId": session.session_id,
            "courseId": session.course_id,
            "startsAt": session.starts_at,
            "endsAt": session.ends_at,
            "studentName": session.student_name,
            "teacherName": session.teacher_name,
            "link": session_link(self.client_url, session.session_id),
        }
        return [
            (session.student_id, {**common, "role": "student", "otherName": session.teacher_name}),
            (session.teacher_id, {**common, "role": "teacher", "otherName": session.student_name}),
        ]


def event_handlers(planner: MailPlanner, cards: CourseCards) -> Mapping[str, EventHandler]:
    return {
        PaymentSucceeded.EVENT_TYPE: planner.receipt,
        RefundSucceeded.EVENT_TYPE: planner.refund,
        SessionBooked.EVENT_TYPE: planner.booked,
        SessionCancelled.EVENT_TYPE: planner.cancelled,
        CourseCompleted.EVENT_TYPE: planner.course_completed,
        **course_card_handlers(cards),
    }
