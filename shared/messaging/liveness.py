"""Whether a worker still consumes: live unless its queue holds messages it has stopped fetching.

The worker's main process receives every message of its queue (Celery's `task_received`, or
`task_unknown`/`task_rejected` for one it cannot run), so it knows when it last fetched one; its
start counts as a fetch. Each check reads the queue's length in Redis and remembers when it found
nothing this worker could have fetched (the queue empty, or the broker unreachable), so a message
that just arrived after a quiet hour is not mistaken for a stall. A worker whose every pool
process stays busy longer than the limit fails too: tasks have a time limit well under it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis
from celery.signals import task_received, task_rejected, task_unknown

from shared.events.subscriptions import queue_name
from shared.metrics.exposition import LiveAnswer
from shared.metrics.state import queue_length

FETCH_SIGNALS = (task_received, task_unknown, task_rejected)


@dataclass(frozen=True)
class Verdict:
    """Whether the worker is live, and why."""

    live: bool
    reason: str


def decide(
    now: float, last_fetch: float, last_idle: float, queue_length: int | None, stall_seconds: float
) -> Verdict:
    """Live unless the queue holds messages and nothing was fetched for more than
    `stall_seconds`, counted from the later of the last fetch and `last_idle` (when the queue was
    last seen with nothing to fetch). An unknown length (broker unreachable) is live: a restart
    cannot bring the broker back."""
    if queue_length is None:
        return Verdict(True, "broker unreachable: queue not checked")
    if queue_length == 0:
        return Verdict(True, "queue empty")
    waiting = now - max(last_fetch, last_idle)
    if waiting > stall_seconds:
        return Verdict(
            False,
            f"{queue_length} message(s) waiting, nothing fetched for {waiting:.0f} s"
            f" (limit {stall_seconds:g} s)",
        )
    return Verdict(True, "fetching")


class QueueWatch:
    """One worker's liveness: when it last fetched from its queue and last found it idle."""

    def __init__(
        self,
        queue: str,
        length: Callable[[], int],
        stall_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.queue = queue
        self.stall_seconds = stall_seconds
        self._length = length
        self._clock = clock
        self.last_fetch = self.last_idle = clock()

    def fetched(self, **_: Any) -> None:
        self.last_fetch = self._clock()

    def check(self) -> LiveAnswer:
        """The verdict now, and a JSON body that explains it."""
        now = self._clock()
        body: dict[str, object] = {"queue": self.queue, "stall_seconds": self.stall_seconds}
        length: int | None
        try:
            length = self._length()
        except (redis.RedisError, OSError) as error:
            length, body["broker_error"] = None, f"{type(error).__name__}: {error}"
        if length is None or length == 0:
            self.last_idle = now
        verdict = decide(now, self.last_fetch, self.last_idle, length, self.stall_seconds)
        body.update(
            live=verdict.live,
            reason=verdict.reason,
            queue_length=length,
            seconds_since_fetch=round(now - self.last_fetch, 1),
        )
        return verdict.live, body


def watch_queue(service: str, client: redis.Redis, stall_seconds: float) -> QueueWatch:
    """Watch `<service>.events` from now on; call in the worker's main process (worker_init)."""
    queue = queue_name(service)
    watch = QueueWatch(queue, lambda: queue_length(client, queue), stall_seconds)
    for signal in FETCH_SIGNALS:
        signal.connect(watch.fetched, weak=False)
    return watch
