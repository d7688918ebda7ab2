"""BriefHold: values held for a moment, the least recently used out first."""

from __future__ import annotations

from shared.hold import BriefHold


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_value_is_held_for_its_seconds_then_gone() -> None:
    clock = Clock()
    hold: BriefHold[str, int] = BriefHold(0.5, 10, clock)
    hold.put("a", 1)
    clock.now += 0.49
    assert hold.get("a") == 1
    clock.now += 0.02
    assert hold.get("a") is None


def test_past_its_size_the_least_recently_used_goes() -> None:
    hold: BriefHold[str, int] = BriefHold(60, 2, Clock())
    hold.put("a", 1)
    hold.put("b", 2)
    assert hold.get("a") == 1
    hold.put("c", 3)
    assert (hold.get("a"), hold.get("b"), hold.get("c")) == (1, None, 3)


def test_clear_drops_everything() -> None:
    hold: BriefHold[str, int] = BriefHold(60, 2, Clock())
    hold.put("a", 1)
    hold.clear()
    assert hold.get("a") is None
