"""Cancelling sessions: by a participant, or by the system when a refund ended the student's
access to the course the session was booked under."""

from __future__ import annotations

from contextlib import suppress
from typing import TYPE_CHECKING

from mentorship.adapters.repository import UpcomingChanged
from mentorship.domain.session import SCHEDULED, Session, TransitionRefused
from mentorship.domain.upcoming import Upcoming
from shared.clock import now_iso, utc_now
from shared.events.contracts import CANCELLED_BY_SYSTEM, EnrollmentRevoked, SessionCancelled
from shared.events.envelope import Envelope
from shared.messaging.consumer import EventHandler
from shared.messaging.unit_of_work import UnitOfWork
from shared.readmodels.memberships import membership_handlers

if TYPE_CHECKING:
    from mentorship.bootstrap import Mentorship

SWEEPS = 5
"""How often the sessions are looked at again when bookings keep landing meanwhile."""


def cancel(app: Mentorship, session: Session, by: str, window_hours: float) -> Session:
    """One transaction: the status, the slot's busy buckets, the student's upcoming set and
    the event (`window_hours` before the start is the last moment; the system passes 0)."""
    stamp = now_iso()
    changed = session.cancel(utc_now(), window_hours, stamp)
    upcoming = app.repository.upcoming(session.student_id, session.teacher_id)
    uow = app.runtime.unit_of_work()
    app.repository.change_status(uow, changed)
    app.repository.release_upcoming(uow, upcoming, session.session_id)
    uow.raise_event(
        SessionCancelled(session=changed.event_payload(), cancelled_by=by, cancelled_at=stamp)
    )
    uow.commit()
    return changed


def end_access(app: Mentorship) -> EventHandler:
    """A revoked enrollment: keep the membership read model, and cancel the student's upcoming
    sessions with that course's teacher that no course the student still holds allows.

    Sessions booked under another course of the same teacher that the student still holds stay.
    Each cancellation is its own transaction (a session's busy buckets can be many); the
    membership, the inbox and a check that the upcoming set did not change since it was last
    read commit last. A booking that raced in makes that check fail, and the consumer runs this
    again; a booking after the commit finds the student no longer enrolled. Running it again for
    the same event finds nothing left to cancel."""
    record = membership_handlers(app.students)[EnrollmentRevoked.EVENT_TYPE]

    def handle(event: EnrollmentRevoked, envelope: Envelope, uow: UnitOfWork) -> None:
        before = app.students.get(event.course_id, event.user_id)
        record(event, envelope, uow)
        if before is not None and before.active and before.at >= event.revoked_at:
            return  # a later enrollment restored access: this revocation ends nothing
        course = app.cards.get(event.course_id)
        if course is None:
            return  # a course mentorship never knew had nothing booked under it
        seen = _cancel_unheld(app, event.user_id, course.teacher_id, event.course_id)
        app.repository.guard_upcoming(uow, seen)

    return handle


def _cancel_unheld(app: Mentorship, student_id: str, teacher_id: str, lost: str) -> Upcoming:
    """Cancel until none is left to cancel; the upcoming set as it then was."""
    for _ in range(SWEEPS):
        upcoming = app.repository.upcoming(student_id, teacher_id)
        doomed = [
            session
            for session in map(app.repository.get, sorted(upcoming.pending(utc_now())))
            if session is not None
            and session.status == SCHEDULED
            and (
                session.course_id == lost
                or not app.students.is_active(session.course_id, student_id)
            )
        ]
        if not doomed:
            return upcoming
        for session in doomed:
            with suppress(TransitionRefused):  # it started meanwhile: no longer upcoming
                cancel(app, session, CANCELLED_BY_SYSTEM, window_hours=0)
    raise UpcomingChanged("bookings kept landing while their access was ending")
