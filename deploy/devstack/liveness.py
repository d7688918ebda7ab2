"""Workers alive but not consuming: `make run` asks each worker's GET /live now and then and
kills one that fails it twice in a row, so that the supervisor starts it again."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Mapping
from typing import Protocol

import requests

PROBE_SECONDS = 10.0
FAILURES_TO_KILL = 2


class Probed(Protocol):
    """What the watch needs of a process group (`devstack.processes.ProcessGroup` has it)."""

    def is_running(self, name: str) -> bool: ...

    def kill(self, name: str, sig: int = signal.SIGKILL, *, whole_group: bool = True) -> None: ...


def live_status(url: str) -> int | None:
    """The status GET /live answers, or None when nothing answers (starting, or just killed)."""
    try:
        return requests.get(url, timeout=2).status_code
    except requests.RequestException:
        return None


class LivenessWatch:
    """Kills a worker whose /live answered 503 `FAILURES_TO_KILL` times in a row."""

    def __init__(
        self,
        group: Probed,
        live_urls: Mapping[str, str],
        status: Callable[[str], int | None] = live_status,
        report: Callable[[str], None] = lambda message: print(message, file=sys.stderr),
    ) -> None:
        self.group = group
        self.live_urls = dict(live_urls)
        self.status = status
        self.report = report
        self._failures = dict.fromkeys(self.live_urls, 0)

    def probe_all(self) -> None:
        """Ask every running worker once; kill the ones that failed too often."""
        for name, url in self.live_urls.items():
            failed = self.group.is_running(name) and self.status(url) == 503
            self._failures[name] = self._failures[name] + 1 if failed else 0
            if self._failures[name] >= FAILURES_TO_KILL:
                self._failures[name] = 0
                self.report(f"devstack: {name} is not consuming ({url} answered 503); killing it")
                self.group.kill(name, signal.SIGKILL)

    def run_until(self, stopped: threading.Event) -> None:
        """Probe every PROBE_SECONDS until `stopped` is set (meant for a daemon thread)."""
        while not stopped.wait(PROBE_SECONDS):
            self.probe_all()
