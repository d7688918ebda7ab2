"""Run an optimistic write again when it lost a race, backing off with jitter in between."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from shared.backoff import backoff_seconds

T = TypeVar("T")

CONFLICT_BASE_SECONDS = 0.005
CONFLICT_CAP_SECONDS = 0.05
"""A lost conditional write or cancelled transaction means another writer committed the same
items, a DynamoDB round trip of a few ms: the first retry waits 2.5 to 5 ms, the range doubling
with each retry up to 25 to 50 ms, so racers drift apart within a few tries while six attempts
wait at most 125 ms in all and ten at most 325 ms, well inside a request."""


def retry_on_conflict(
    attempt: Callable[[int], T],
    *,
    conflicts: tuple[type[Exception], ...],
    attempts: int,
    give_up: Callable[[Exception], BaseException] | None = None,
    base: float = CONFLICT_BASE_SECONDS,
    cap: float = CONFLICT_CAP_SECONDS,
    sleep: Callable[[float], object] | None = None,
    rand: Callable[[], float] = random.random,
) -> T:
    """`attempt(n)` for n = 1, 2, … until it returns, at most `attempts` times; its result.

    `attempt` is run whole each time, so it must read again whatever it decides on. Only
    `conflicts` start another attempt, after `backoff_seconds(n, base, cap, rand)`; anything else
    it raises passes straight through, and nothing is slept after the last attempt. When that
    one conflicts too, its conflict is raised again, or what `give_up(conflict)` returns is
    raised from it. `sleep` defaults to `time.sleep` looked up at each pause: under gevent's
    monkey-patching (chat's web workers) that is gevent's sleep, which yields to other
    greenlets, however early this module was imported."""
    if attempts < 1:
        raise ValueError(f"attempts must be at least 1, not {attempts}")
    number = 1
    while True:
        try:
            return attempt(number)
        except conflicts as conflict:
            if number >= attempts:
                failure = conflict if give_up is None else give_up(conflict)
                if failure is conflict:
                    raise
                raise failure from conflict
        (sleep or time.sleep)(backoff_seconds(number, base, cap, rand))
        number += 1
