"""Mentorship's handlers with in-memory fakes: booking, the limit, the lifecycle, video tokens and
the end of access, on a fixed clock and no DynamoDB."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from mentorship_world import Names, course_card, open_all_day

from mentorship import handlers
from mentorship.adapters.repository import (
    MentorshipRepository,
    SessionChanged,
    SlotTaken,
    UpcomingChanged,
)
from mentorship.adapters.video_tokens import VideoTokenIssuer
from mentorship.commands import (
    BookSession,
    ChangeSessionStatus,
    FindOpenSlots,
    IssueVideoToken,
    SetAvailability,
    ShowSession,
)
from mentorship.domain.availability import Availability, AvailabilityInvalid
from mentorship.domain.session import Session, TeacherOnly, TransitionRefused
from mentorship.domain.slots import lock_buckets
from mentorship.domain.upcoming import BookingLimitReached, Upcoming
from mentorship.errors import (
    BookingInvalid,
    CourseUnknown,
    NoAvailability,
    NotEnrolled,
    SessionNotFound,
    TokenWindowClosed,
)
from shared.api.mentorship import AvailabilityBody
from shared.dynamo.transaction import TransactionConflict
from shared.events.contracts import (
    CANCELLED_BY_SYSTEM,
    CourseSnapshot,
    EnrollmentRevoked,
    SessionCancelled,
)
from shared.events.envelope import wrap
from shared.messaging.unit_of_work import UnitOfWork
from shared.readmodels.course_cards import CourseCards
from shared.readmodels.memberships import Membership, Memberships
from shared.tests.fakes import Check, FakeUnitOfWork

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TEACHER, STUDENT = "t1", "s1"


@dataclass
class FakeRepository:
    """Availability, sessions, busy buckets and versioned upcoming sets in dicts."""

    availabilities: dict[str, Availability] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    busy: dict[tuple[str, datetime], str] = field(default_factory=dict)
    upcoming_sets: dict[tuple[str, str], Upcoming] = field(default_factory=dict)

    def availability(self, teacher_id: str) -> Availability | None:
        return self.availabilities.get(teacher_id)

    def save_availability(
        self, uow: FakeUnitOfWork, teacher_id: str, availability: Availability
    ) -> None:
        uow.stage(lambda: self.availabilities.__setitem__(teacher_id, availability))

    def get(self, session_id: str) -> Session | None:
        return self.sessions.get(session_id)

    def _buckets(self, session: Session) -> list[tuple[str, datetime]]:
        buckets = lock_buckets(session.starts_at, session.ends_at, session.buffer_minutes)
        return [(session.teacher_id, bucket) for bucket in buckets]

    def book(self, uow: FakeUnitOfWork, session: Session) -> None:
        def held() -> None:
            if any(bucket in self.busy for bucket in self._buckets(session)):
                raise SlotTaken(session.session_id)

        def write() -> None:
            self.sessions[session.session_id] = session
            self.busy.update(dict.fromkeys(self._buckets(session), session.session_id))

        uow.stage(write, held)

    def change_status(self, uow: FakeUnitOfWork, session: Session) -> None:
        def moved() -> None:
            if self.sessions[session.session_id].status != "scheduled":
                raise SessionChanged(session.session_id)

        def write() -> None:
            self.sessions[session.session_id] = session
            if session.status == "cancelled":
                for bucket in self._buckets(session):
                    self.busy.pop(bucket, None)

        uow.stage(write, moved)

    def teacher_sessions_between(
        self, teacher_id: str, since: datetime, until: datetime
    ) -> list[Session]:
        return [
            s
            for s in self.sessions.values()
            if s.teacher_id == teacher_id and s.status == "scheduled" and since <= s.starts_at
            if s.starts_at <= until
        ]

    def upcoming(self, student_id: str, teacher_id: str) -> Upcoming:
        return self.upcoming_sets.get((student_id, teacher_id), Upcoming(student_id, teacher_id))

    def _unchanged(self, seen: Upcoming) -> Check:
        def check() -> None:
            if self.upcoming(seen.student_id, seen.teacher_id).version != seen.version:
                raise UpcomingChanged("written since")

        return check

    def save_upcoming(self, uow: FakeUnitOfWork, before: Upcoming, after: Upcoming) -> None:
        key = (after.student_id, after.teacher_id)
        uow.stage(lambda: self.upcoming_sets.__setitem__(key, after), self._unchanged(before))

    def guard_upcoming(self, uow: FakeUnitOfWork, seen: Upcoming) -> None:
        uow.stage(lambda: None, self._unchanged(seen))

    def release_upcoming(self, uow: FakeUnitOfWork, seen: Upcoming, session_id: str) -> None:
        def write() -> None:
            current = self.upcoming(seen.student_id, seen.teacher_id)
            starts = {k: v for k, v in current.starts.items() if k != session_id}
            key = (seen.student_id, seen.teacher_id)
            self.upcoming_sets[key] = replace(current, starts=starts, version=current.version + 1)

        if session_id in seen.starts:
            uow.stage(write)


@dataclass
class FakeStudents:
    """Memberships by (course, student); a booking's commit checks the student still holds it."""

    memberships: dict[tuple[str, str], Membership] = field(default_factory=dict)

    def get(self, course_id: str, user_id: str) -> Membership | None:
        return self.memberships.get((course_id, user_id))

    def is_active(self, course_id: str, user_id: str) -> bool:
        membership = self.get(course_id, user_id)
        return membership is not None and membership.active

    def require_active(
        self, uow: FakeUnitOfWork, course_id: str, user_id: str, lost: type[Exception]
    ) -> None:
        def active() -> None:
            if not self.is_active(course_id, user_id):
                raise lost()

        uow.stage(lambda: None, active)

    def record(self, uow: FakeUnitOfWork, course_id: str, user_id: str, new: Membership) -> None:
        old = self.get(course_id, user_id)
        if old is None or old.at < new.at:
            uow.stage(lambda: self.memberships.__setitem__((course_id, user_id), new))


class FakeCards:
    def __init__(self, *cards: CourseSnapshot) -> None:
        self.cards = {card.course_id: card for card in cards}

    def get(self, course_id: str) -> CourseSnapshot | None:
        return self.cards.get(course_id)


class FakeVideo:
    def issue(self, channel: str, uid: int, expires_at: datetime) -> str:
        return f"006-{channel}-{uid}-{int(expires_at.timestamp())}"


@dataclass
class World:
    """The fakes, a clock that only moves when told, and each handler bound to them."""

    repository: FakeRepository = field(default_factory=FakeRepository)
    students: FakeStudents = field(default_factory=FakeStudents)
    cards: FakeCards = field(default_factory=lambda: FakeCards(course_card("c1", TEACHER)))
    units: list[FakeUnitOfWork] = field(default_factory=list)
    now: datetime = NOW
    failures: list[Exception] = field(default_factory=list)
    limit: int = 2

    def unit_of_work(self) -> FakeUnitOfWork:
        self.units.append(FakeUnitOfWork(failures=self.failures))
        return self.units[-1]

    def events(self) -> list[str]:
        return [type(e).__name__ for uow in self.units for e in uow.committed]

    def deps(self) -> dict[str, Any]:
        return {
            "repository": cast(MentorshipRepository, self.repository),
            "unit_of_work": cast(Callable[[], UnitOfWork], self.unit_of_work),
            "clock": lambda: self.now,
        }

    def open(self, body: AvailabilityBody) -> Availability:
        return handlers.set_availability(
            SetAvailability(TEACHER, body),
            repository=cast(MentorshipRepository, self.repository),
            unit_of_work=cast(Callable[[], UnitOfWork], self.unit_of_work),
        )

    def enroll(self, student_id: str = STUDENT, course_id: str = "c1") -> None:
        self.students.memberships[(course_id, student_id)] = Membership(True, "2026-01-01")

    def book(self, minutes_ahead: int, student_id: str = STUDENT, course_id: str = "c1") -> Session:
        return handlers.book_session(
            BookSession(student_id, TEACHER, course_id, NOW + timedelta(minutes=minutes_ahead)),
            cards=cast(CourseCards, self.cards),
            students=cast(Memberships, self.students),
            names=Names(),
            max_upcoming=self.limit,
            **self.deps(),
        )

    def slots(self, **window: Any) -> handlers.OpenSlots:
        return handlers.open_slots(
            FindOpenSlots(TEACHER, **window),
            repository=cast(MentorshipRepository, self.repository),
            cards=cast(CourseCards, self.cards),
            clock=lambda: self.now,
        )

    def change(self, session: Session, by: str, status: Any) -> Session:
        command = ChangeSessionStatus(session.session_id, by, status)
        return handlers.change_status(command, cancel_window_hours=12, **self.deps())

    def token(self, session: Session, user_id: str) -> handlers.VideoGrant:
        return handlers.issue_video_token(
            IssueVideoToken(session.session_id, user_id),
            repository=cast(MentorshipRepository, self.repository),
            students=cast(Memberships, self.students),
            video=cast(VideoTokenIssuer, FakeVideo()),
            clock=lambda: self.now,
            lead_minutes=10,
            grace_minutes=10,
        )

    def revoke(self, course_id: str = "c1", at: str = "2026-11-30") -> None:
        event = EnrollmentRevoked(
            user_id=STUDENT, course_id=course_id, reason="refund", revoked_at=at
        )
        uow = self.unit_of_work()
        handlers.end_access(
            event,
            wrap(event, "enrollment"),
            cast(UnitOfWork, uow),
            cards=cast(CourseCards, self.cards),
            students=cast(Memberships, self.students),
            **self.deps(),
        )
        uow.commit()


@pytest.fixture
def world() -> World:
    world = World()
    world.open(open_all_day())  # 30-minute slots from midnight UTC, no buffer
    world.enroll()
    return world


def test_availability_is_saved_only_when_its_rules_hold(world: World) -> None:
    hours = open_all_day().model_dump(by_alias=True)
    overlapping = [
        {"day": 1, "start": "09:00", "end": "11:00"},
        {"day": 1, "start": "10:00", "end": "12:00"},
    ]
    with pytest.raises(AvailabilityInvalid) as caught:
        world.open(AvailabilityBody.model_validate({**hours, "weekly": overlapping}))
    assert caught.value.details == {"weekly[1]": "overlaps weekly[0] on the same day"}
    assert world.repository.availabilities[TEACHER].slot_minutes == 30, "the last one stays"
    hourly = world.open(open_all_day(slot_minutes=60))
    assert world.repository.availabilities[TEACHER] == hourly


def test_a_booked_slot_is_held_once_and_no_longer_offered(world: World) -> None:
    session = world.book(120)
    assert (session.status, session.student_name, session.teacher_name) == ("scheduled", "S1", "T1")
    world.enroll("s2")
    with pytest.raises(SlotTaken):
        world.book(120, student_id="s2")
    offered = [slot.start for slot in world.slots().slots]
    assert session.starts_at not in offered and session.ends_at in offered
    assert world.events() == ["SessionBooked"]


def test_a_booking_holds_its_buffer_whatever_grid_comes_next(world: World) -> None:
    world.open(open_all_day(slot_minutes=30, buffer_minutes=10))  # a slot every 40 minutes
    world.book(100)  # 10:40 to 11:10, and the teacher's until 11:20
    world.open(open_all_day(slot_minutes=15))
    world.enroll("s2")
    with pytest.raises(SlotTaken):
        world.book(135, student_id="s2")  # 11:15
    assert world.book(150, student_id="s2").status == "scheduled"  # 11:30


def test_a_lost_race_is_retried_and_a_lasting_one_is_the_slot_taken(world: World) -> None:
    lost_race = TransactionConflict("another transaction on the same items")
    world.failures.extend([lost_race] * 2)
    assert world.book(120).status == "scheduled"
    assert len(world.units) == 4  # the availability, two lost races, then the booking
    world.failures.extend([lost_race] * handlers.BOOKING_ATTEMPTS)
    with pytest.raises(SlotTaken):
        world.book(300)
    assert world.events() == ["SessionBooked"]


def test_each_student_holds_at_most_the_limit_of_upcoming_sessions_with_a_teacher(
    world: World,
) -> None:
    first, _ = world.book(120), world.book(180)
    with pytest.raises(BookingLimitReached):
        world.book(240)
    world.enroll("s2")
    assert world.book(240, student_id="s2").status == "scheduled", "the limit is per student"
    world.now = first.starts_at + timedelta(minutes=1)  # a session that started counts no more
    assert world.book(300).status == "scheduled"


def test_a_booking_is_refused_for_each_reason_in_turn(world: World) -> None:
    with pytest.raises(BookingInvalid) as past:
        world.book(-60)
    assert set(past.value.details) == {"date"}
    with pytest.raises(CourseUnknown):
        world.book(120, course_id="nope")
    world.cards.cards["c2"] = course_card("c2", "someone_else")
    with pytest.raises(BookingInvalid) as wrong:
        world.book(120, course_id="c2")
    assert set(wrong.value.details) == {"teacherId"}
    with pytest.raises(NotEnrolled):
        world.book(120, student_id="stranger")
    with pytest.raises(BookingInvalid) as off_grid:
        world.book(130)
    assert off_grid.value.details == {"date": "is not one of the teacher's open slots"}
    world.repository.availabilities.clear()
    with pytest.raises(NoAvailability):
        world.book(120)
    assert world.events() == []


def test_a_refund_that_commits_first_fails_the_booking(world: World) -> None:
    checked = world.students.require_active

    def revoked_meanwhile(uow: FakeUnitOfWork, *args: Any) -> None:
        world.students.memberships[("c1", STUDENT)] = Membership(False, "2026-11-30")
        checked(uow, *args)

    world.students.require_active = revoked_meanwhile  # type: ignore[method-assign]
    with pytest.raises(NotEnrolled):
        world.book(120)
    assert world.repository.sessions == {}


def test_the_slots_window_is_checked_and_a_course_must_be_the_teachers(world: World) -> None:
    with pytest.raises(BookingInvalid) as caught:
        world.slots(since=NOW, until=NOW + timedelta(days=32))
    assert set(caught.value.details) == {"to"}
    world.cards.cards["c2"] = course_card("c2", "someone_else")
    with pytest.raises(BookingInvalid):
        world.slots(course_id="c2")
    found = world.slots(course_id="c1", until=NOW + timedelta(hours=2))
    assert found.timezone == "UTC" and len(found.slots) == 4
    world.repository.availabilities.clear()
    assert world.slots() == handlers.OpenSlots(None, [])


def test_a_session_is_shown_to_its_participants_only(world: World) -> None:
    session = world.book(120)
    for user_id in (STUDENT, TEACHER):
        shown = handlers.show_session(
            ShowSession(session.session_id, user_id),
            repository=cast(MentorshipRepository, world.repository),
        )
        assert shown == session
    with pytest.raises(SessionNotFound):
        world.change(session, "stranger", "cancelled")


def test_either_party_cancels_up_to_the_window_and_the_slot_is_free_again(world: World) -> None:
    soon, later = world.book(11 * 60), world.book(24 * 60)
    with pytest.raises(TransitionRefused):
        world.change(soon, STUDENT, "cancelled")
    assert world.change(later, TEACHER, "cancelled").status == "cancelled"
    with pytest.raises(TransitionRefused):
        world.change(later, STUDENT, "cancelled")
    assert later.session_id not in world.repository.upcoming(STUDENT, TEACHER).starts
    world.enroll("s2")
    assert world.book(24 * 60, student_id="s2").starts_at == later.starts_at
    assert world.events() == ["SessionBooked"] * 2 + ["SessionCancelled", "SessionBooked"]


def test_only_the_teacher_completes_and_only_once_started(world: World) -> None:
    session = world.book(120)
    with pytest.raises(TransitionRefused):
        world.change(session, TEACHER, "completed")
    world.now = session.starts_at
    with pytest.raises(TeacherOnly):
        world.change(session, STUDENT, "completed")
    with pytest.raises(SessionChanged):
        world.change(session, STUDENT, "scheduled")
    assert world.change(session, TEACHER, "completed").status == "completed"
    assert world.events() == ["SessionBooked", "SessionCompleted"]


def test_video_tokens_open_before_the_start_and_end_with_the_students_access(
    world: World,
) -> None:
    session = world.book(120)
    world.now = session.starts_at - timedelta(minutes=11)
    with pytest.raises(TokenWindowClosed):
        world.token(session, STUDENT)
    world.now = session.starts_at - timedelta(minutes=10)
    student, teacher = world.token(session, STUDENT), world.token(session, TEACHER)
    assert student.channel == teacher.channel == session.session_id
    assert student.uid != teacher.uid
    assert student.expires_at == session.ends_at + timedelta(minutes=10)
    world.students.memberships[("c1", STUDENT)] = Membership(False, "2026-12-01")
    with pytest.raises(NotEnrolled):
        world.token(session, STUDENT)
    assert world.token(session, TEACHER).token
    world.now = session.ends_at
    with pytest.raises(TokenWindowClosed):
        world.token(session, TEACHER)


def test_a_revocation_cancels_the_upcoming_sessions_it_allowed_once(world: World) -> None:
    world.cards.cards["c2"] = course_card("c2", TEACHER)
    world.enroll(course_id="c2")
    lost, kept = world.book(20 * 60), world.book(30 * 60, course_id="c2")

    world.revoke()
    world.revoke()

    assert world.repository.sessions[lost.session_id].status == "cancelled"
    assert world.repository.sessions[kept.session_id].status == "scheduled"
    cancelled = [
        (event.session.session_id, event.cancelled_by)
        for uow in world.units
        for event in uow.committed
        if isinstance(event, SessionCancelled)
    ]
    assert cancelled == [(lost.session_id, CANCELLED_BY_SYSTEM)]
    assert not world.students.is_active("c1", STUDENT)


def test_a_revocation_older_than_the_enrollment_ends_nothing(world: World) -> None:
    session = world.book(20 * 60)
    world.revoke(at="2025-12-31")
    assert world.repository.sessions[session.session_id].status == "scheduled"
    assert world.students.is_active("c1", STUDENT)
