"""Exponential backoff with jitter: the one retry schedule of the code base."""

from __future__ import annotations

import random
from collections.abc import Callable


def backoff_seconds(
    attempt: int, base: float, cap: float, rand: Callable[[], float] = random.random
) -> float:
    """The delay before retry number `attempt` (1, 2, …): doubling from `base` up to `cap`, half
    of it fixed and half random ("equal jitter"), so a burst of failures does not come back as
    one burst while the delay still grows with every attempt."""
    ceiling = min(cap, base * 2.0 ** max(attempt - 1, 0))
    return ceiling / 2 + rand() * ceiling / 2
