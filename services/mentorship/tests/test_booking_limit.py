"""At most three upcoming sessions with one teacher: counted in the booking's own transaction."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from mentorship_world import TEACHER, World

from mentorship.adapters.repository import SlotTaken
from mentorship.commands import ChangeSessionStatus
from mentorship.domain.upcoming import BookingLimitReached, Upcoming
from mentorship.errors import NotEnrolled

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def test_started_sessions_no_longer_count_and_are_pruned() -> None:
    starts = {"past": NOW - timedelta(minutes=1), "now": NOW, "later": NOW + timedelta(hours=1)}
    upcoming = Upcoming("s", "t", starts, version=4)

    assert upcoming.pending(NOW) == {"later": starts["later"]}
    held = upcoming.hold("next", NOW + timedelta(hours=2), NOW, limit=2)
    assert set(held.starts) == {"later", "next"} and held.version == 5
    with pytest.raises(BookingLimitReached):
        held.hold("third", NOW + timedelta(hours=3), NOW, limit=2)
    assert len(held.hold("third", NOW + timedelta(hours=3), NOW, limit=0).starts) == 3


def test_a_fourth_upcoming_session_with_one_teacher_is_refused(world: World) -> None:
    course = world.course()
    world.open_all_day()
    world.enroll("user_sam", course)
    for hours in (2, 3, 4):
        world.book("user_sam", course, hours)

    with pytest.raises(BookingLimitReached):
        world.book("user_sam", course, 5)
    world.enroll("user_ann", course)
    assert world.book("user_ann", course, 5).status == "scheduled", "the limit is per student"


def test_a_cancelled_session_frees_its_place(world: World) -> None:
    course = world.course()
    world.open_all_day()
    world.enroll("user_sam", course)
    first, *_ = (world.book("user_sam", course, hours) for hours in (20, 21, 22))

    world.app.change_status(ChangeSessionStatus(first.session_id, "user_sam", "cancelled"))
    assert world.book("user_sam", course, 23).status == "scheduled"
    pending = world.app.repository.upcoming("user_sam", TEACHER).pending(datetime.now(UTC))
    assert first.session_id not in pending and len(pending) == 3


def test_a_session_that_started_frees_its_place(world: World) -> None:
    course = world.course()
    world.open_all_day()
    world.enroll("user_sam", course)
    first, *_ = (world.book("user_sam", course, hours) for hours in (1, 2, 3))

    world.clock.now = first.starts_at + timedelta(minutes=1)
    assert world.book("user_sam", course, 6).status == "scheduled"
    assert first.session_id not in world.app.repository.upcoming("user_sam", TEACHER).starts


def test_concurrent_bookings_of_different_slots_never_exceed_the_limit(world: World) -> None:
    course = world.course()
    world.open_all_day()
    world.enroll("user_sam", course)

    def attempt(hours: int) -> str:
        try:
            world.book("user_sam", course, hours)
        except BookingLimitReached:
            return "limit"
        return "booked"

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(attempt, range(2, 10)))

    assert sorted(outcomes) == ["booked"] * 3 + ["limit"] * 5
    page = world.app.repository.of_user("student", "user_sam", 100, None)
    assert [s.status for s in page.sessions] == ["scheduled"] * 3


def test_the_transaction_refuses_a_student_no_longer_enrolled(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check before the booking only gives a clearer error; the commit is the guard."""
    course = world.course()
    world.open_all_day()
    world.enroll("user_sam", course)
    world.revoke("user_sam", course)
    monkeypatch.setattr(world.app.students, "is_active", lambda course_id, user_id: True)

    with pytest.raises(NotEnrolled):
        world.book("user_sam", course, 2)
    assert world.app.repository.of_user("student", "user_sam", 10, None).sessions == []


def test_a_taken_slot_is_still_slot_taken(world: World) -> None:
    course = world.course()
    world.open_all_day()
    world.enroll("user_sam", course)
    world.enroll("user_ann", course)
    taken = world.book("user_sam", course, 2)

    with pytest.raises(SlotTaken):
        world.book("user_ann", course, 2)
    assert len(world.events("mentorship.session.booked.v1")) == 1
    assert world.app.repository.upcoming("user_ann", TEACHER).starts == {}
    assert taken.session_id in world.app.repository.upcoming("user_sam", TEACHER).starts
