"""Mentorship's handlers: each takes its command (or event) and only what it needs."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from mentorship.adapters.repository import (
    MentorshipRepository,
    SessionChanged,
    SlotTaken,
    UpcomingChanged,
)
from mentorship.adapters.video_tokens import VideoTokenIssuer, agora_uid
from mentorship.cancellation import cancel, cancel_unheld
from mentorship.commands import (
    BookSession,
    ChangeSessionStatus,
    FindOpenSlots,
    IssueVideoToken,
    SetAvailability,
    ShowSession,
)
from mentorship.domain.availability import Availability, availability_from
from mentorship.domain.session import CANCELLED, COMPLETED, Session
from mentorship.domain.slots import free_slots, is_bookable
from mentorship.errors import (
    BookingInvalid,
    CourseUnknown,
    NoAvailability,
    NotEnrolled,
    SessionNotFound,
    TokenWindowClosed,
)
from shared.api.mentorship import BUFFER_MINUTES, SLOT_MINUTES, Slot
from shared.clerk import ClerkClient
from shared.clock import iso
from shared.dynamo.transaction import TransactionConflict
from shared.events.contracts import (
    CourseSnapshot,
    EnrollmentRevoked,
    SessionBooked,
    SessionCompleted,
)
from shared.events.envelope import Envelope
from shared.messaging.unit_of_work import UnitOfWork
from shared.readmodels.course_cards import CourseCards
from shared.readmodels.memberships import Membership, Memberships
from shared.retry import retry_on_conflict

Clock = Callable[[], datetime]
"""The current instant, aware UTC."""
BOOKING_ATTEMPTS = 6
"""Enough for the student's own concurrent bookings: each lost attempt means one of them won."""
DEFAULT_WINDOW, MAX_WINDOW = timedelta(days=7), timedelta(days=31)
LONGEST_BLOCK = timedelta(minutes=SLOT_MINUTES[1] + BUFFER_MINUTES[1])
"""The longest a session plus its buffer can be (availability's limits)."""


@dataclass(frozen=True)
class OpenSlots:
    """A teacher's free slots, and their time zone when they have published availability."""

    timezone: str | None
    slots: list[Slot]


@dataclass(frozen=True)
class VideoGrant:
    token: str
    channel: str
    uid: int
    expires_at: datetime


def set_availability(
    command: SetAvailability,
    *,
    repository: MentorshipRepository,
    unit_of_work: Callable[[], UnitOfWork],
) -> Availability:
    availability = availability_from(command.requested)
    uow = unit_of_work()
    repository.save_availability(uow, command.teacher_id, availability)
    uow.commit()
    return availability


def _teaching(cards: CourseCards, teacher_id: str, course_id: str) -> CourseSnapshot:
    course = cards.get(course_id)
    if course is None or course.status == "Deleted":
        raise CourseUnknown(course_id)
    if course.teacher_id != teacher_id:
        raise BookingInvalid({"teacherId": "does not teach this course"})
    return course


def open_slots(
    query: FindOpenSlots,
    *,
    repository: MentorshipRepository,
    cards: CourseCards,
    clock: Clock,
) -> OpenSlots:
    """The teacher's free slots in the window, booked ones (and their buffers) left out."""
    now = clock()
    since = query.since or now
    until = query.until or since + DEFAULT_WINDOW
    if not since < until <= since + MAX_WINDOW:
        raise BookingInvalid({"to": "must be after from, at most 31 days later"})
    if query.course_id is not None:
        _teaching(cards, query.teacher_id, query.course_id)
    availability = repository.availability(query.teacher_id)
    if availability is None:
        return OpenSlots(None, [])
    sessions = repository.teacher_sessions_between(query.teacher_id, since - LONGEST_BLOCK, until)
    busy = [(s.starts_at, s.blocked_until) for s in sessions]
    return OpenSlots(availability.timezone, free_slots(availability, since, until, now, busy))


def book_session(
    command: BookSession,
    *,
    repository: MentorshipRepository,
    cards: CourseCards,
    students: Memberships,
    names: ClerkClient,
    unit_of_work: Callable[[], UnitOfWork],
    clock: Clock,
    max_upcoming: int,
) -> Session:
    """Book a free slot; the guard against double booking is the transaction's conditional
    writes of the slot's busy buckets, not the checks before it."""
    now = clock()
    if command.starts_at <= now:
        raise BookingInvalid({"date": "must be in the future"})
    _teaching(cards, command.teacher_id, command.course_id)
    if not students.is_active(command.course_id, command.student_id):
        raise NotEnrolled(command.course_id)
    availability = repository.availability(command.teacher_id)
    if availability is None:
        raise NoAvailability(command.teacher_id)
    slot = is_bookable(availability, command.starts_at, now, [])
    if slot is None:
        raise BookingInvalid({"date": "is not one of the teacher's open slots"})
    session = Session(
        session_id=uuid.uuid4().hex,
        student_id=command.student_id,
        teacher_id=command.teacher_id,
        course_id=command.course_id,
        starts_at=slot.start,
        ends_at=slot.end,
        buffer_minutes=availability.buffer_minutes,
        student_name=names.get_user(command.student_id).display_name,
        teacher_name=names.get_user(command.teacher_id).display_name,
        created_at=iso(now),
        updated_at=iso(now),
    )

    def book(_attempt: int) -> Session:
        """One transaction: the student still enrolled, the session, its busy buckets, the
        student's upcoming set with the teacher (within the limit, and unchanged since it was
        read), the event. A concurrent write to the same items means reading them again."""
        before = repository.upcoming(session.student_id, session.teacher_id)
        after = before.hold(session.session_id, session.starts_at, clock(), max_upcoming)
        uow = unit_of_work()
        students.require_active(uow, session.course_id, session.student_id, NotEnrolled)
        repository.book(uow, session)
        repository.save_upcoming(uow, before, after)
        uow.raise_event(SessionBooked(session=session.event_payload()))
        uow.commit()
        return session

    def given_up(last: Exception) -> Exception:
        """A changed upcoming set as is; a transaction conflict as the slot taken."""
        return last if isinstance(last, UpcomingChanged) else SlotTaken(session.session_id)

    return retry_on_conflict(
        book,
        conflicts=(TransactionConflict, UpcomingChanged),
        attempts=BOOKING_ATTEMPTS,
        give_up=given_up,
    )


def show_session(query: ShowSession, *, repository: MentorshipRepository) -> Session:
    """The session, to its participants only (404 to anyone else: its existence is private)."""
    session = repository.get(query.session_id)
    if session is None or not session.has_participant(query.user_id):
        raise SessionNotFound(query.session_id)
    return session


def change_status(
    command: ChangeSessionStatus,
    *,
    repository: MentorshipRepository,
    unit_of_work: Callable[[], UnitOfWork],
    clock: Clock,
    cancel_window_hours: float,
) -> Session:
    """Cancelled by either participant up to the window before the start; completed by the
    teacher once it started. Nothing moves a session back to scheduled."""
    user_id = command.user_id
    session = show_session(ShowSession(command.session_id, user_id), repository=repository)
    if command.status == CANCELLED:
        return cancel(
            session,
            user_id,
            cancel_window_hours,
            repository=repository,
            unit_of_work=unit_of_work,
            now=clock(),
        )
    if command.status != COMPLETED:
        raise SessionChanged(f"The session is already {session.status}.")
    now = clock()
    changed = session.complete(user_id, now, iso(now))
    uow = unit_of_work()
    uow.raise_event(SessionCompleted(session=changed.event_payload(), completed_at=iso(now)))
    repository.change_status(uow, changed)
    uow.commit()
    return changed


def issue_video_token(
    command: IssueVideoToken,
    *,
    repository: MentorshipRepository,
    students: Memberships,
    video: VideoTokenIssuer,
    clock: Clock,
    lead_minutes: int,
    grace_minutes: int,
) -> VideoGrant:
    """An Agora token for this session's channel only, while it can be joined, and to its
    student only while they still hold the course (a refund mid-session ends it)."""
    user_id = command.user_id
    session = show_session(ShowSession(command.session_id, user_id), repository=repository)
    if not session.joinable(clock(), lead_minutes):
        raise TokenWindowClosed(
            f"A scheduled session opens {lead_minutes} minutes before its start "
            f"({iso(session.starts_at)}) and closes at its end; this one is {session.status}."
        )
    if user_id == session.student_id and not students.is_active(session.course_id, user_id):
        raise NotEnrolled(session.course_id)
    uid = _participant_uid(session, user_id)
    expires_at = session.ends_at + timedelta(minutes=grace_minutes)
    token = video.issue(session.session_id, uid, expires_at)
    return VideoGrant(token, session.session_id, uid, expires_at)


def _participant_uid(session: Session, user_id: str) -> int:
    """The user's stable uid, made distinct from the other participant's in the rare clash."""
    uid = agora_uid(user_id)
    if user_id == session.teacher_id and uid == agora_uid(session.student_id):
        return uid % 0xFFFFFFFF + 1
    return uid


def end_access(
    event: EnrollmentRevoked,
    _envelope: Envelope,
    uow: UnitOfWork,
    *,
    repository: MentorshipRepository,
    cards: CourseCards,
    students: Memberships,
    unit_of_work: Callable[[], UnitOfWork],
    clock: Clock,
) -> None:
    """A revoked enrollment: keep the membership read model, and cancel the student's upcoming
    sessions with that course's teacher that no course the student still holds allows.

    Sessions booked under another course of the same teacher that the student still holds stay.
    Each cancellation is its own transaction (a session's busy buckets can be many); the
    membership, the inbox and a check that the upcoming set did not change since it was last
    read commit last. A booking that raced in makes that check fail, and the consumer runs this
    again; a booking after the commit finds the student no longer enrolled. Running it again for
    the same event finds nothing left to cancel."""
    before = students.get(event.course_id, event.user_id)
    students.record(uow, event.course_id, event.user_id, Membership(False, event.revoked_at))
    if before is not None and before.active and before.at >= event.revoked_at:
        return  # a later enrollment restored access: this revocation ends nothing
    course = cards.get(event.course_id)
    if course is None:
        return  # a course mentorship never knew had nothing booked under it
    seen = cancel_unheld(
        event.user_id,
        course.teacher_id,
        event.course_id,
        repository=repository,
        students=students,
        unit_of_work=unit_of_work,
        clock=clock,
    )
    repository.guard_upcoming(uow, seen)
