"""What to start and how to know it is ready; the error raised when it is not."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from devstack import logfiles


@dataclass(frozen=True)
class ProcessSpec:
    """How to start one process and how to tell that it is ready.

    `ready` is a callable (see `devstack.probes`); `ready_log` a regex that must appear in what
    the process writes during this run. With neither, started means ready. `wiring` holds the
    variables that place this one process in the stack (its metrics port and directory): kept
    when a restart replaces `env`, the process's own extra variables.
    """

    name: str
    argv: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    wiring: Mapping[str, str] = field(default_factory=dict)
    ready: Callable[[], bool] | None = None
    ready_log: str | None = None
    timeout: float = 30.0

    def waits_for(self) -> str:
        checks = [getattr(self.ready, "description", "readiness check")] if self.ready else []
        if self.ready_log:
            checks.append(f"log line matching {self.ready_log!r}")
        return " and ".join(checks) or "nothing"


class DevstackError(RuntimeError):
    """Anything devstack reports to its user as a message rather than a traceback."""


class StopRequested(DevstackError):
    """Ctrl-C or SIGTERM came while starting; what had started is stopped by whoever started it."""


class StartupError(DevstackError):
    """A process exited or failed its readiness check; the message ends with its log tail."""

    def __init__(self, name: str, reason: str, log_path: Path) -> None:
        super().__init__(
            f"{name} {reason}\n--- last lines of {log_path} ---\n{logfiles.tail(log_path)}"
        )
        self.name = name
        self.log_path = log_path
