"""Supervision: restart a process that exits on its own, after an exponential backoff."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from devstack.spec import StartupError


@dataclass(frozen=True)
class Backoff:
    """The delay before restart n of a streak is `first` · 2ⁿ⁻¹ seconds, at most `cap`; a process
    that stayed up `stable` seconds before it exited starts a new streak."""

    first: float = 1.0
    cap: float = 30.0
    stable: float = 60.0

    def delay(self, restart: int) -> float:
        """Seconds to wait before restart number `restart` (from 1) of a streak."""
        return min(self.cap, self.first * 2.0 ** (restart - 1))


class Supervised(Protocol):
    """What a supervisor needs of a process group (`devstack.processes.ProcessGroup` has it)."""

    def exited(self) -> dict[str, int]: ...

    def relaunch(self, name: str) -> None: ...

    def log_path(self, name: str) -> Path: ...

    def log_tail(self, name: str, lines: int) -> str: ...


@dataclass
class _Streak:
    started: float
    """When its current run was started (or first seen exited)."""
    restarts: int = 0
    due: float | None = None
    """When the restart it waits for is due; None while it runs."""


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Supervisor:
    """Restarts what `group` reports as exited on its own (never what the group stopped, nor a
    one-shot command, which it does not list), each after its backoff delay.

    Call `poll(now)` every fraction of a second with a monotonic clock; it never waits: a
    restarted process is launched, its readiness not awaited. Every decision is `report`ed.
    """

    def __init__(
        self,
        group: Supervised,
        backoff: Backoff | None = None,
        report: Callable[[str], None] = _to_stderr,
    ) -> None:
        self.group = group
        self.backoff = Backoff() if backoff is None else backoff
        self.report = report
        self._streaks: dict[str, _Streak] = {}

    def poll(self, now: float) -> None:
        """Schedule a restart for each process newly seen exited; restart those now due."""
        for name, code in self.group.exited().items():
            streak = self._streaks.setdefault(name, _Streak(started=now))
            if streak.due is None:
                log = f"--- last lines of {self.group.log_path(name)} ---\n"
                log += self.group.log_tail(name, 20)
                self._schedule(name, streak, now, f"exited with code {code}", log)
        for name, streak in self._streaks.items():
            if streak.due is not None and now >= streak.due:
                self._restart(name, streak, now)

    def _schedule(self, name: str, streak: _Streak, now: float, what: str, detail: str) -> None:
        if now - streak.started >= self.backoff.stable:
            streak.restarts = 0
        streak.restarts += 1
        delay = self.backoff.delay(streak.restarts)
        streak.due = now + delay
        self.report(
            f"devstack: {name} {what}; restarting in {delay:g} s (restart {streak.restarts})"
            f"\n{detail}"
        )

    def _restart(self, name: str, streak: _Streak, now: float) -> None:
        streak.due, streak.started = None, now
        try:
            self.group.relaunch(name)
        except StartupError as error:
            self._schedule(name, streak, now, "could not be started", str(error))
            return
        self.report(f"devstack: {name} started again (restart {streak.restarts})")
