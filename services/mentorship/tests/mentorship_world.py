"""A mentorship world on a real table (the moto server): courses, enrollments, bookings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from mentorship.bootstrap import Mentorship
from mentorship.commands import BookSession, SetAvailability
from mentorship.domain.session import Session
from shared.api.mentorship import AvailabilityBody
from shared.clerk import ClerkClient, UserProfile
from shared.clock import utc_now
from shared.events.contracts import CourseSnapshot, EnrollmentCreated, EnrollmentRevoked
from shared.events.envelope import Envelope, wrap
from shared.messaging.consumer import Consumer
from shared.messaging.unit_of_work import UnitOfWork
from shared.runtime import Runtime
from shared.tests.factories import course_snapshot

APP_ID, CERT = "970ca35de60c44645bbae8a215061b33", "5cfd2fd1755d40ecb72977518be15d3b"
ALWAYS = [{"day": day, "start": "00:00", "end": "24:00"} for day in range(7)]
TEACHER = "user_teacher"


class QuietRuntime(Runtime):
    """Events stay in the outbox, where a test reads them; nothing is sent to Redis."""

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.dynamodb, self.table, self.settings.service, None)


class Names(ClerkClient):
    """Display names without Clerk."""

    def __init__(self) -> None:
        pass

    def get_user(self, user_id: str, *, fresh: bool = False) -> UserProfile:
        return UserProfile(user_id, user_id.removeprefix("user_").title(), "", None, None, {})


class WorldClock:
    """The system's time, until a test sets it."""

    def __init__(self) -> None:
        self.now: datetime | None = None

    def __call__(self) -> datetime:
        return self.now or utc_now()


def course_card(course_id: str, teacher_id: str = TEACHER) -> CourseSnapshot:
    """A published free course of that teacher's, as catalog's events carry it."""
    return course_snapshot(course_id=course_id, teacher_id=teacher_id, price=0, status="Published")


def open_all_day(slot_minutes: int = 30, buffer_minutes: int = 0) -> AvailabilityBody:
    """Every day, all day, in UTC, bookable right away up to 60 days ahead."""
    return AvailabilityBody.model_validate(
        {
            "timezone": "UTC",
            "weekly": ALWAYS,
            "slotMinutes": slot_minutes,
            "bufferMinutes": buffer_minutes,
            "minNoticeHours": 0,
            "maxDaysAhead": 60,
        }
    )


@dataclass
class World:
    """The app, its consumer and clock, and shortcuts to set the scene in events and commands."""

    app: Mentorship
    consumer: Consumer
    clock: WorldClock

    def course(self, teacher_id: str = TEACHER) -> str:
        course_id = uuid.uuid4().hex
        uow = self.app.runtime.unit_of_work()
        self.app.cards.upsert(uow, course_card(course_id, teacher_id))
        uow.commit()
        return course_id

    def open_all_day(self, teacher_id: str = TEACHER) -> None:
        self.app.set_availability(SetAvailability(teacher_id, open_all_day()))

    def enroll(
        self, student_id: str, course_id: str, at: str = "2020-01-02T00:00:00.000Z"
    ) -> Envelope:
        envelope = wrap(
            EnrollmentCreated(
                user_id=student_id, course_id=course_id, order_id="o1", enrolled_at=at
            ),
            "enrollment",
        )
        self.consumer.consume(envelope)
        return envelope

    def revoke(self, student_id: str, course_id: str, at: str | None = None) -> Envelope:
        event = EnrollmentRevoked(
            user_id=student_id, course_id=course_id, reason="refund", revoked_at=at or _now()
        )
        envelope = wrap(event, "enrollment")
        self.consumer.consume(envelope)
        return envelope

    def book(
        self, student_id: str, course_id: str, hours_ahead: float, teacher_id: str = TEACHER
    ) -> Session:
        return self.book_at(student_id, course_id, slot(hours_ahead), teacher_id)

    def book_at(
        self, student_id: str, course_id: str, start: datetime, teacher_id: str = TEACHER
    ) -> Session:
        return self.app.book_session(BookSession(student_id, teacher_id, course_id, start))

    def status(self, session: Session) -> str:
        stored = self.app.repository.get(session.session_id)
        assert stored is not None
        return stored.status

    def events(self, event_type: str) -> list[Envelope]:
        """Every event of that type in the outbox, oldest first."""
        pending = self.app.runtime.dispatcher.pending(older_than_seconds=-3600, limit=1000)
        return [o.envelope for o in pending if o.envelope.event_type == event_type]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def slot(hours_ahead: float) -> datetime:
    """A start on the half-hour grid about `hours_ahead` from now."""
    moment = datetime.now(UTC) + timedelta(hours=hours_ahead)
    return moment.replace(minute=0 if moment.minute < 30 else 30, second=0, microsecond=0)
