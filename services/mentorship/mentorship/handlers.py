"""Mentorship's commands and event handlers; the routing table is at the bottom."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from mentorship import cancellation
from mentorship.adapters.repository import SessionChanged, SlotTaken, UpcomingChanged
from mentorship.adapters.video_tokens import agora_uid
from mentorship.domain.availability import Availability, parse_availability
from mentorship.domain.session import CANCELLED, COMPLETED, STATUSES, Session
from mentorship.domain.slots import Slot, free_slots, is_bookable
from shared.clock import iso, now_iso, parse_iso, utc_now
from shared.dynamo.transaction import TransactionConflict
from shared.events.contracts import (
    CourseSnapshot,
    EnrollmentRevoked,
    SessionBooked,
    SessionCompleted,
)
from shared.invalid import Invalid
from shared.messaging.consumer import EventHandler
from shared.readmodels.course_cards import course_card_handlers
from shared.readmodels.memberships import membership_handlers
from shared.retry import retry_on_conflict
from shared.web.ids import ID_RULE, is_id

if TYPE_CHECKING:
    from mentorship.bootstrap import Mentorship

BOOKING_ATTEMPTS = 6
"""Enough for the student's own concurrent bookings: each lost attempt means one of them won."""
MAX_WINDOW = timedelta(days=31)
LONGEST_BLOCK = timedelta(minutes=180 + 60)
"""The longest a session plus its buffer can be (availability's limits)."""
EARLIEST, LATEST = datetime(1970, 1, 1, tzinfo=UTC), datetime(9999, 1, 1, tzinfo=UTC)
"""The instants a request may name."""


class BookingInvalid(Invalid):
    """The booking names bad fields; details maps each to its problem."""


class CourseUnknown(Exception):
    """No such course in mentorship's read model."""


class NotEnrolled(Exception):
    """Only students enrolled in the course may book its teacher or join its sessions."""


class SessionNotFound(Exception):
    """No such session, or the caller is not one of its participants."""


class NoAvailability(Exception):
    """The teacher has not published availability."""


class TokenWindowClosed(Exception):
    """Video tokens are issued from shortly before the start until the end."""


@dataclass(frozen=True)
class VideoGrant:
    token: str
    channel: str
    uid: int
    expires_at: datetime


def set_availability(app: Mentorship, teacher_id: str, body: dict[str, Any]) -> Availability:
    availability = parse_availability(body)
    uow = app.runtime.unit_of_work()
    app.repository.save_availability(uow, teacher_id, availability)
    uow.commit()
    return availability


def _instant(value: Any, name: str) -> datetime:
    """An ISO-8601 instant with an explicit offset, as aware UTC."""
    try:
        moment = parse_iso(str(value))
    except ValueError:
        raise BookingInvalid({name: "must be an ISO-8601 date and time"}) from None
    if moment.tzinfo is None:
        raise BookingInvalid({name: "must carry a time zone (e.g. Z)"})
    if not EARLIEST <= moment < LATEST:  # windows and lookups add days: keep clear of the limits
        raise BookingInvalid({name: f"must be from {EARLIEST.year} to {LATEST.year - 1}"})
    return moment.astimezone(UTC)


def _teaching(app: Mentorship, teacher_id: str, course_id: str) -> CourseSnapshot:
    if not is_id(course_id):
        raise BookingInvalid({"courseId": ID_RULE})
    course = app.cards.get(course_id)
    if course is None or course.status == "Deleted":
        raise CourseUnknown(course_id)
    if course.teacher_id != teacher_id:
        raise BookingInvalid({"teacherId": "does not teach this course"})
    return course


def open_slots(
    app: Mentorship, teacher_id: str, args: Mapping[str, str]
) -> tuple[Availability | None, list[Slot]]:
    """The teacher's free slots in [from, to) (default: the next 7 days), booked ones left out."""
    now = utc_now()
    since = _instant(args["from"], "from") if args.get("from") else now
    until = _instant(args["to"], "to") if args.get("to") else since + timedelta(days=7)
    if not since < until <= since + MAX_WINDOW:
        raise BookingInvalid({"to": "must be after from, at most 31 days later"})
    if args.get("courseId"):
        _teaching(app, teacher_id, args["courseId"])
    availability = app.repository.availability(teacher_id)
    if availability is None:
        return None, []
    sessions = app.repository.teacher_sessions_between(teacher_id, since - LONGEST_BLOCK, until)
    busy = [(s.starts_at, s.blocked_until) for s in sessions]
    return availability, free_slots(availability, since, until, now, busy)


def book(app: Mentorship, student_id: str, body: dict[str, Any]) -> Session:
    """Book a free slot; the guard against double booking is the transaction's conditional
    writes of the slot's busy buckets, not the checks before it."""
    errors = {
        name: "is required"
        for name in ("teacherId", "courseId", "date")
        if not isinstance(body.get(name), str) or not body[name]
    }
    if errors:
        raise BookingInvalid(errors)
    teacher_id, course_id = body["teacherId"], body["courseId"]
    start = _instant(body["date"], "date")
    now = utc_now()
    if start <= now:
        raise BookingInvalid({"date": "must be in the future"})
    _teaching(app, teacher_id, course_id)
    if not app.students.is_active(course_id, student_id):
        raise NotEnrolled(course_id)
    availability = app.repository.availability(teacher_id)
    if availability is None:
        raise NoAvailability(teacher_id)
    slot = is_bookable(availability, start, now, [])
    if slot is None:
        raise BookingInvalid({"date": "is not one of the teacher's open slots"})
    stamp = now_iso()
    session = Session(
        session_id=uuid.uuid4().hex,
        student_id=student_id,
        teacher_id=teacher_id,
        course_id=course_id,
        starts_at=slot.start,
        ends_at=slot.end,
        buffer_minutes=availability.buffer_minutes,
        student_name=app.clerk.get_user(student_id).display_name,
        teacher_name=app.clerk.get_user(teacher_id).display_name,
        created_at=stamp,
        updated_at=stamp,
    )
    return _commit_booking(app, session)


def _commit_booking(app: Mentorship, session: Session) -> Session:
    """One transaction: the student still enrolled, the session, its busy buckets, the student's
    upcoming set with the teacher (within the limit, and unchanged since it was read), the event.
    A concurrent write to the same items means reading them again."""
    limit = app.settings.mentorship.max_upcoming_per_teacher

    def book(_attempt: int) -> Session:
        before = app.repository.upcoming(session.student_id, session.teacher_id)
        after = before.hold(session.session_id, session.starts_at, utc_now(), limit)
        uow = app.runtime.unit_of_work()
        app.students.require_active(uow, session.course_id, session.student_id, NotEnrolled)
        app.repository.book(uow, session)
        app.repository.save_upcoming(uow, before, after)
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


def session_for(app: Mentorship, session_id: str, user_id: str) -> Session:
    """The session, to its participants only (404 to anyone else: its existence is private)."""
    session = app.repository.get(session_id)
    if session is None or not session.has_participant(user_id):
        raise SessionNotFound(session_id)
    return session


def change_status(app: Mentorship, session_id: str, user_id: str, body: dict[str, Any]) -> Session:
    status = body.get("status")
    if status not in STATUSES:
        raise BookingInvalid({"status": f"must be one of {', '.join(STATUSES)}"})
    session = session_for(app, session_id, user_id)
    if status == CANCELLED:
        window = app.settings.mentorship.cancel_window_hours
        return cancellation.cancel(app, session, user_id, window)
    if status != COMPLETED:
        raise SessionChanged(f"The session is already {session.status}.")
    stamp = now_iso()
    changed = session.complete(user_id, utc_now(), stamp)
    uow = app.runtime.unit_of_work()
    uow.raise_event(SessionCompleted(session=changed.event_payload(), completed_at=stamp))
    app.repository.change_status(uow, changed)
    uow.commit()
    return changed


def video_grant(app: Mentorship, session_id: str, user_id: str) -> VideoGrant:
    """An Agora token for this session's channel only, while it can be joined, and to its
    student only while they still hold the course (a refund mid-session ends it)."""
    session = session_for(app, session_id, user_id)
    policy = app.settings.mentorship
    if not session.joinable(utc_now(), policy.token_lead_minutes):
        raise TokenWindowClosed(
            f"A scheduled session opens {policy.token_lead_minutes} minutes before its start "
            f"({iso(session.starts_at)}) and closes at its end; this one is {session.status}."
        )
    if user_id == session.student_id and not app.students.is_active(session.course_id, user_id):
        raise NotEnrolled(session.course_id)
    uid = participant_uid(session, user_id)
    expires_at = session.ends_at + timedelta(minutes=policy.token_grace_minutes)
    token = app.video.issue(session.session_id, uid, expires_at)
    return VideoGrant(token, session.session_id, uid, expires_at)


def participant_uid(session: Session, user_id: str) -> int:
    """The user's stable uid, made distinct from the other participant's in the rare clash."""
    uid = agora_uid(user_id)
    if user_id == session.teacher_id and uid == agora_uid(session.student_id):
        return uid % 0xFFFFFFFF + 1
    return uid


def event_handlers(app: Mentorship) -> Mapping[str, EventHandler]:
    """Who teaches which course (catalog events) and who is enrolled (enrollment events); a
    revoked enrollment also cancels the upcoming sessions it allowed."""
    return {
        **course_card_handlers(app.cards),
        **membership_handlers(app.students),
        EnrollmentRevoked.EVENT_TYPE: cancellation.end_access(app),
    }
