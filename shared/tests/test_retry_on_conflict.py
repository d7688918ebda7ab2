"""retry_on_conflict: attempts again on a conflict only, pausing on the backoff schedule."""

from __future__ import annotations

import pytest

from shared.backoff import backoff_seconds
from shared.retry import CONFLICT_BASE_SECONDS, CONFLICT_CAP_SECONDS, retry_on_conflict


class Lost(Exception):
    """The stand-in conflict."""


class Busy(Exception):
    """What a caller raises instead when it gives up."""


class Losing:
    """An attempt that conflicts `times` times, then returns "saved"; it records its numbers."""

    def __init__(self, times: int) -> None:
        self.times = times
        self.seen: list[int] = []

    def __call__(self, number: int) -> str:
        self.seen.append(number)
        if len(self.seen) <= self.times:
            raise Lost(f"lost {number}")
        return "saved"


def test_a_first_success_returns_at_once_without_sleeping() -> None:
    pauses: list[float] = []
    result = retry_on_conflict(
        Losing(0), conflicts=(Lost,), attempts=3, sleep=pauses.append, rand=lambda: 0.5
    )
    assert result == "saved"
    assert pauses == []


def test_conflicts_are_retried_until_an_attempt_succeeds() -> None:
    attempt = Losing(2)
    pauses: list[float] = []
    result = retry_on_conflict(
        attempt, conflicts=(Lost,), attempts=5, sleep=pauses.append, rand=lambda: 0.0
    )
    assert result == "saved"
    assert attempt.seen == [1, 2, 3]
    assert len(pauses) == 2


def test_the_pauses_follow_backoff_seconds_with_the_given_rand() -> None:
    draws = iter([0.0, 1.0, 0.25, 0.75, 0.5, 0.5])
    pauses: list[float] = []
    retry_on_conflict(
        Losing(5), conflicts=(Lost,), attempts=6, sleep=pauses.append, rand=draws.__next__
    )
    expected_draws = iter([0.0, 1.0, 0.25, 0.75, 0.5])
    expected = [
        backoff_seconds(n, CONFLICT_BASE_SECONDS, CONFLICT_CAP_SECONDS, expected_draws.__next__)
        for n in range(1, 6)
    ]
    assert pauses == pytest.approx(expected)
    assert pauses == pytest.approx([0.0025, 0.01, 0.0125, 0.035, 0.0375])


def test_base_and_cap_are_the_callers_to_choose() -> None:
    pauses: list[float] = []
    retry_on_conflict(
        Losing(3),
        conflicts=(Lost,),
        attempts=4,
        base=0.1,
        cap=0.2,
        sleep=pauses.append,
        rand=lambda: 1.0,
    )
    assert pauses == pytest.approx([0.1, 0.2, 0.2])


def test_the_last_conflict_is_raised_when_attempts_run_out_without_a_pause_after_it() -> None:
    attempt = Losing(10)
    pauses: list[float] = []
    with pytest.raises(Lost, match="lost 3"):
        retry_on_conflict(attempt, conflicts=(Lost,), attempts=3, sleep=pauses.append)
    assert attempt.seen == [1, 2, 3]
    assert len(pauses) == 2


def test_give_up_names_what_is_raised_instead_from_the_last_conflict() -> None:
    with pytest.raises(Busy) as raised:
        retry_on_conflict(
            Losing(10),
            conflicts=(Lost,),
            attempts=2,
            give_up=lambda last: Busy(f"gave up after {last}"),
            sleep=lambda _: None,
        )
    assert str(raised.value) == "gave up after lost 2"
    assert isinstance(raised.value.__cause__, Lost)


def test_give_up_may_keep_the_conflict_itself() -> None:
    with pytest.raises(Lost, match="lost 2") as raised:
        retry_on_conflict(
            Losing(10),
            conflicts=(Lost,),
            attempts=2,
            give_up=lambda last: last,
            sleep=lambda _: None,
        )
    assert raised.value.__cause__ is None


def test_other_errors_pass_straight_through_without_a_retry() -> None:
    calls: list[int] = []
    pauses: list[float] = []

    def attempt(number: int) -> str:
        calls.append(number)
        raise KeyError("not a conflict")

    with pytest.raises(KeyError):
        retry_on_conflict(attempt, conflicts=(Lost,), attempts=5, sleep=pauses.append)
    assert calls == [1]
    assert pauses == []


def test_no_conflict_types_means_no_retry() -> None:
    with pytest.raises(Lost):
        retry_on_conflict(Losing(1), conflicts=(), attempts=5, sleep=lambda _: None)


def test_a_subclass_of_a_conflict_is_a_conflict() -> None:
    class LostAgain(Lost):
        pass

    outcomes = iter([LostAgain(), None])

    def attempt(_number: int) -> str:
        error = next(outcomes)
        if error:
            raise error
        return "saved"

    assert (
        retry_on_conflict(attempt, conflicts=(Lost,), attempts=2, sleep=lambda _: None) == "saved"
    )


def test_at_least_one_attempt() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        retry_on_conflict(Losing(0), conflicts=(Lost,), attempts=0)


def test_the_default_sleep_is_time_sleep_looked_up_at_each_pause(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pauses: list[float] = []
    monkeypatch.setattr("time.sleep", pauses.append)  # as gevent's monkey-patching does
    retry_on_conflict(Losing(1), conflicts=(Lost,), attempts=2, rand=lambda: 1.0)
    assert pauses == [CONFLICT_BASE_SECONDS]
