"""The session's status machine, the cancellation window and when video may be joined."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mentorship.domain.session import (
    CANCELLED,
    COMPLETED,
    Session,
    TeacherOnly,
    TransitionRefused,
)

START = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def session(status: str = "scheduled") -> Session:
    return Session(
        "s1", "stu", "tea", "c1", START, START + timedelta(minutes=30), 10, "Sam", "Tina",
        "2026-11-25T00:00:00.000Z", "2026-11-25T00:00:00.000Z", status,
    )  # fmt: skip


def test_either_party_cancels_up_to_the_window() -> None:
    edge = START - timedelta(hours=12)
    assert session().cancel(edge, 12, "t").status == CANCELLED
    with pytest.raises(TransitionRefused, match="12 hours"):
        session().cancel(edge + timedelta(seconds=1), 12, "t")


def test_only_the_teacher_completes_and_only_after_the_start() -> None:
    assert session().complete("tea", START, "t").status == COMPLETED
    with pytest.raises(TransitionRefused):
        session().complete("tea", START - timedelta(seconds=1), "t")
    with pytest.raises(TeacherOnly):
        session().complete("stu", START, "t")


@pytest.mark.parametrize("status", [CANCELLED, COMPLETED])
def test_ended_sessions_cannot_move(status: str) -> None:
    with pytest.raises(TransitionRefused):
        session(status).cancel(START - timedelta(days=2), 12, "t")
    with pytest.raises(TransitionRefused):
        session(status).complete("tea", START, "t")


@pytest.mark.parametrize(
    ("offset_minutes", "joinable"),
    [(-11, False), (-10, True), (0, True), (29, True), (30, False)],
)
def test_video_opens_ten_minutes_before_and_closes_at_the_end(
    offset_minutes: int, joinable: bool
) -> None:
    now = START + timedelta(minutes=offset_minutes)
    assert session().joinable(now, 10) is joinable
    assert not session(CANCELLED).joinable(START, 10)


def test_the_buffer_extends_how_long_the_teacher_is_blocked() -> None:
    assert session().blocked_until == START + timedelta(minutes=40)
