"""Jobs a service runs every few seconds inside its relay process (reconciliation, sweeps).

A service offers them from `<service>/periodic.py` as `jobs(runtime) -> list[PeriodicJob]`, wired
on the relay's own runtime.
Every relay replica runs them, so a job must be idempotent, as everything here is."""

from __future__ import annotations

import importlib
import importlib.util
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from shared.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass
class PeriodicJob:
    name: str
    every_seconds: float
    run: Callable[[], object]
    next_at: float = 0.0

    def run_if_due(self, now: float) -> None:
        """Run once its interval has passed; a failure is logged and retried next interval."""
        if now < self.next_at:
            return
        self.next_at = now + self.every_seconds
        try:
            self.run()
        except Exception:
            log.exception("periodic job failed", extra={"job": self.name})


def service_jobs(service: str, runtime: Runtime) -> list[PeriodicJob]:
    """The service's periodic jobs, if it has any."""
    module_name = f"{service}.periodic"
    if importlib.util.find_spec(service) is None or importlib.util.find_spec(module_name) is None:
        return []
    jobs: list[PeriodicJob] = importlib.import_module(module_name).jobs(runtime)
    return jobs


def seconds_until_next(jobs: list[PeriodicJob], now: float | None = None) -> float:
    """How long the relay may sleep before some job is due (forever if there are none)."""
    moment = time.monotonic() if now is None else now
    return min((max(job.next_at - moment, 0.0) for job in jobs), default=float("inf"))
