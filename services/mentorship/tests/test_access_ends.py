"""A revoked enrollment cancels the upcoming sessions it allowed, once, and ends video access."""

from __future__ import annotations

from datetime import timedelta

import pytest
from mentorship_world import TEACHER, World

from mentorship.commands import IssueVideoToken
from mentorship.domain.session import Session
from mentorship.errors import NotEnrolled
from shared.events.contracts import CANCELLED_BY_SYSTEM, EnrollmentRevoked
from shared.events.envelope import wrap
from shared.messaging.consumer import DUPLICATE
from shared.readmodels.memberships import Membership

CANCELLED = "mentorship.session.cancelled.v1"


def cancelled_ids(world: World) -> list[str]:
    return sorted(e.data["session"]["session_id"] for e in world.events(CANCELLED))


def test_a_revocation_cancels_the_sessions_of_that_course_and_frees_their_slots(
    world: World,
) -> None:
    refunded, kept = world.course(), world.course()
    elsewhere = world.course("user_other")
    world.open_all_day()
    world.open_all_day("user_other")
    for course in (refunded, kept, elsewhere):
        world.enroll("user_sam", course)
    lost = [world.book("user_sam", refunded, hours) for hours in (20, 30)]
    stays = world.book("user_sam", kept, 25)
    other = world.book_at("user_sam", elsewhere, lost[0].starts_at, teacher_id="user_other")

    world.revoke("user_sam", refunded)

    assert [world.status(s) for s in lost] == ["cancelled", "cancelled"]
    assert world.status(stays) == world.status(other) == "scheduled"
    assert cancelled_ids(world) == sorted(s.session_id for s in lost)
    assert {e.data["cancelled_by"] for e in world.events(CANCELLED)} == {CANCELLED_BY_SYSTEM}
    assert set(world.app.repository.upcoming("user_sam", TEACHER).starts) == {stays.session_id}
    world.enroll("user_ann", refunded)
    assert world.book("user_ann", refunded, 20).starts_at == lost[0].starts_at, "slot freed"


def test_a_session_under_another_course_no_longer_held_goes_too(world: World) -> None:
    refunded, dropped = world.course(), world.course()
    world.open_all_day()
    world.enroll("user_sam", refunded)
    world.enroll("user_sam", dropped)
    orphan = world.book("user_sam", dropped, 20)
    # its own revocation was recorded without cancelling it (as an older release did)
    uow = world.app.runtime.unit_of_work()
    world.app.students.record(uow, dropped, "user_sam", Membership(False, "2020-06-01"))
    uow.commit()

    world.revoke("user_sam", refunded)

    assert world.status(orphan) == "cancelled"


def test_the_same_revocation_again_changes_nothing(world: World) -> None:
    course = world.course()
    world.open_all_day()
    world.enroll("user_sam", course)
    session = world.book("user_sam", course, 20)

    envelope = world.revoke("user_sam", course)
    assert world.consumer.consume(envelope) == DUPLICATE
    world.revoke("user_sam", course)  # the same revocation under another event id

    assert world.status(session) == "cancelled"
    assert cancelled_ids(world) == [session.session_id]


def test_a_revocation_older_than_the_enrollment_ends_nothing(world: World) -> None:
    course = world.course()
    world.open_all_day()
    world.enroll("user_sam", course, at="2026-06-01T00:00:00.000Z")
    session = world.book("user_sam", course, 20)

    world.revoke("user_sam", course, at="2026-05-01T00:00:00.000Z")

    assert world.status(session) == "scheduled"
    assert world.events(CANCELLED) == []


def test_a_booking_that_lands_during_the_revocation_is_cancelled_too(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    course = world.course()
    world.open_all_day()
    world.enroll("user_sam", course)
    early = world.book("user_sam", course, 20)
    guard = world.app.repository.guard_upcoming
    raced: list[Session] = []

    def a_booking_lands_then_guard(*args: object) -> None:
        if not raced:  # swept, but the membership is not committed yet: the booking passes
            raced.append(world.book("user_sam", course, 30))
        guard(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(world.app.repository, "guard_upcoming", a_booking_lands_then_guard)
    world.revoke("user_sam", course)

    assert [world.status(s) for s in (early, *raced)] == ["cancelled", "cancelled"]


def test_a_failure_is_raised_for_a_retry_and_nothing_is_half_done(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    course = world.course()
    world.open_all_day()
    world.enroll("user_sam", course)
    session = world.book("user_sam", course, 20)
    revoked = wrap(
        EnrollmentRevoked(
            user_id="user_sam", course_id=course, reason="refund", revoked_at="2026-12-01"
        ),
        "enrollment",
    )

    def broken(*_: object) -> None:
        raise RuntimeError("DynamoDB is down")

    monkeypatch.setattr(world.app.repository, "change_status", broken)
    with pytest.raises(RuntimeError):
        world.consumer.consume(revoked)
    assert world.app.students.is_active(course, "user_sam"), "nothing committed"
    monkeypatch.undo()

    world.consumer.consume(revoked)
    assert world.status(session) == "cancelled"
    assert not world.app.students.is_active(course, "user_sam")


def test_a_started_session_stays_but_its_student_gets_no_video_token(world: World) -> None:
    course = world.course()
    world.open_all_day()
    world.enroll("user_sam", course)
    session = world.book("user_sam", course, 1)
    world.clock.now = session.starts_at + timedelta(minutes=5)

    def token_for(user_id: str) -> str:
        return world.app.issue_video_token(IssueVideoToken(session.session_id, user_id)).channel

    assert token_for("user_sam")

    world.revoke("user_sam", course)

    assert world.status(session) == "scheduled", "only upcoming sessions are cancelled"
    with pytest.raises(NotEnrolled):
        token_for("user_sam")
    assert token_for(TEACHER)
