"""Cancelling sessions: by a participant, or by the system when a refund ended the student's
access to the course the session was booked under."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import datetime

from mentorship.adapters.repository import MentorshipRepository, UpcomingChanged
from mentorship.domain.session import SCHEDULED, Session, TransitionRefused
from mentorship.domain.upcoming import Upcoming
from shared.clock import iso
from shared.events.contracts import CANCELLED_BY_SYSTEM, SessionCancelled
from shared.messaging.unit_of_work import UnitOfWork
from shared.readmodels.memberships import Memberships

SWEEPS = 5
"""How often the sessions are looked at again when bookings keep landing meanwhile."""


def cancel(
    session: Session,
    by: str,
    window_hours: float,
    *,
    repository: MentorshipRepository,
    unit_of_work: Callable[[], UnitOfWork],
    now: datetime,
) -> Session:
    """One transaction: the status, the slot's busy buckets, the student's upcoming set and
    the event (`window_hours` before the start is the last moment; the system passes 0)."""
    stamp = iso(now)
    changed = session.cancel(now, window_hours, stamp)
    upcoming = repository.upcoming(session.student_id, session.teacher_id)
    uow = unit_of_work()
    repository.change_status(uow, changed)
    repository.release_upcoming(uow, upcoming, session.session_id)
    uow.raise_event(
        SessionCancelled(session=changed.event_payload(), cancelled_by=by, cancelled_at=stamp)
    )
    uow.commit()
    return changed


def cancel_unheld(
    student_id: str,
    teacher_id: str,
    lost: str,
    *,
    repository: MentorshipRepository,
    students: Memberships,
    unit_of_work: Callable[[], UnitOfWork],
    clock: Callable[[], datetime],
) -> Upcoming:
    """Cancel the student's upcoming sessions with the teacher booked under the `lost` course,
    or under any other the student no longer holds, until none is left; the upcoming set as it
    then was."""
    for _ in range(SWEEPS):
        upcoming = repository.upcoming(student_id, teacher_id)
        doomed = [
            session
            for session in map(repository.get, sorted(upcoming.pending(clock())))
            if session is not None
            and session.status == SCHEDULED
            and (session.course_id == lost or not students.is_active(session.course_id, student_id))
        ]
        if not doomed:
            return upcoming
        for session in doomed:
            with suppress(TransitionRefused):  # it started meanwhile: no longer upcoming
                cancel(
                    session,
                    CANCELLED_BY_SYSTEM,
                    window_hours=0,
                    repository=repository,
                    unit_of_work=unit_of_work,
                    now=clock(),
                )
    raise UpcomingChanged("bookings kept landing while their access was ending")
