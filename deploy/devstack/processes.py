"""Named subprocesses in their own process groups: start, await readiness, kill, restart, stop."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import FrameType, TracebackType

from devstack import logfiles
from devstack.proctree import child_pids, running_groups, signal_process, spawn
from devstack.spec import ProcessSpec, StartupError, StopRequested

POLL_SECONDS = 0.1
STOP_BUDGET = 12.0
"""How long `stop_all` may take in all: `make run` is gone within 15 s of Ctrl-C or SIGTERM."""
KILL_WAIT = 1.0
"""How long a group gets to vanish after SIGKILL; `stop_all` keeps that much back per batch."""


@dataclass
class StopRequest:
    """Ctrl-C and SIGTERM as a group sees them: the first asks to stop (a start in progress gives
    up), any later one to hurry (what is still running is SIGKILLed now, not after its grace).

    Install it as the signal handler itself: it only sets flags, so it cannot deadlock or raise
    in the middle of starting or stopping a process.
    """

    stop: bool = False
    hurry: bool = False
    at: float | None = None
    """When the first request came (time.monotonic()): `stop_all`'s budget runs from then."""

    def __call__(self, _signum: int = 0, _frame: FrameType | None = None) -> None:
        if not self.stop:
            self.at = time.monotonic()
        self.hurry = self.stop
        self.stop = True


@dataclass
class _Run:
    spec: ProcessSpec
    popen: subprocess.Popen[bytes]
    log_offset: int
    batch: int
    stopped: bool = False


class ProcessGroup:
    """The processes this group started; `stop_all` stops them in reverse start order.

    Each `start` call is a batch: launched together, and stopped together. Every process runs
    in a session of its own and dies with this one (see `proctree.spawn`). `stop_request` is
    what Ctrl-C and SIGTERM set (`StopRequest`); a start gives up with `StopRequested` then.
    """

    def __init__(
        self,
        log_dir: Path,
        env: Mapping[str, str] | None = None,
        stop_grace: float = 5.0,
        stop_request: StopRequest | None = None,
    ) -> None:
        self.log_dir = log_dir
        # Unbuffered, so that log tails and `ready_log` see output as soon as it is written.
        self.env = {**(os.environ if env is None else env), "PYTHONUNBUFFERED": "1"}
        self.stop_grace = stop_grace
        self.stop_request = StopRequest() if stop_request is None else stop_request
        self._runs: dict[str, _Run] = {}
        self._logged: list[str] = []
        self._batches = 0

    def start(self, *specs: ProcessSpec) -> None:
        """Launch every spec at once, then wait for each to be ready (StartupError if not)."""
        self._batches += 1
        launched = [(self._launch(spec), time.monotonic() + spec.timeout) for spec in specs]
        for run, deadline in launched:
            self._wait_ready(run, deadline)

    def run_once(self, spec: ProcessSpec) -> None:
        """Run a one-shot command to completion within its timeout; StartupError if it fails."""
        run = self._launch(spec, register=False)
        deadline = time.monotonic() + spec.timeout
        while (code := run.popen.poll()) is None:
            if self.stop_request.stop or time.monotonic() > deadline:
                self._terminate([run], KILL_WAIT if self.stop_request.stop else self.stop_grace)
                self._check_stop(spec)
                raise StartupError(
                    spec.name, f"did not finish in {spec.timeout:.0f}s", self.log_path(spec.name)
                )
            time.sleep(POLL_SECONDS)
        if code != 0:
            raise StartupError(spec.name, f"failed with exit code {code}", self.log_path(spec.name))

    def restart(self, name: str, env: Mapping[str, str] | None = None) -> None:
        """Stop `name` (whatever is left of it), start it again and wait until it is ready; `env`
        replaces the spec's own extra variables (None keeps them); its `wiring` stays."""
        self.stop(name)
        self.relaunch(name, env)
        run = self._run(name)
        self._wait_ready(run, time.monotonic() + run.spec.timeout)

    def relaunch(self, name: str, env: Mapping[str, str] | None = None) -> None:
        """Start `name` again now without waiting for it to be ready (a supervisor's restart);
        what is left of its previous run is SIGKILLed first. `env` as for `restart`."""
        old = self._run(name)
        self._terminate([old], grace=0)
        spec = old.spec if env is None else replace(old.spec, env=dict(env))
        self._launch(spec, batch=old.batch)

    def kill(self, name: str, sig: int = signal.SIGKILL, *, whole_group: bool = True) -> None:
        """Send `sig` to the process and its children (or only to the process itself)."""
        signal_process(self.pid(name), sig, whole_group=whole_group)

    def wait(self, name: str, timeout: float) -> int | None:
        """The exit code once the process has exited, or None if it still runs after `timeout`."""
        try:
            return self._run(name).popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, name: str) -> None:
        """SIGTERM to the process group, SIGKILL after the grace period; idempotent."""
        self._terminate([self._run(name)], self.stop_grace)

    def stop_all(self, budget: float = STOP_BUDGET) -> None:
        """Stop the batches in reverse start order, the processes of one batch together, all
        within `budget` seconds (of the stop request, if there was one): a batch gets `stop_grace`
        after SIGTERM, less once time runs short (so the batches after it still get `KILL_WAIT`
        each), then SIGKILL."""
        requested = self.stop_request.at
        deadline = (time.monotonic() if requested is None else requested) + budget
        batches = sorted({run.batch for run in self._runs.values()}, reverse=True)
        for left, batch in zip(range(len(batches), 0, -1), batches, strict=True):
            grace = min(self.stop_grace, deadline - time.monotonic() - KILL_WAIT * left)
            runs = [run for run in self._runs.values() if run.batch == batch]
            self._terminate(runs, max(0.0, grace))

    def pid(self, name: str) -> int:
        return self._run(name).popen.pid

    def children(self, name: str) -> list[int]:
        """Direct children of the process: a Celery worker's pool, gunicorn's workers."""
        return child_pids(self.pid(name))

    def is_running(self, name: str) -> bool:
        return self._run(name).popen.poll() is None

    def exited(self) -> dict[str, int]:
        """Exit codes of processes that ended without being stopped by this group."""
        return {
            name: code
            for name, run in self._runs.items()
            if not run.stopped and (code := run.popen.poll()) is not None
        }

    @property
    def names(self) -> list[str]:
        return list(self._runs)

    def log_path(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def log_tail(self, name: str, lines: int = 40) -> str:
        return logfiles.tail(self.log_path(name), lines)

    def tails(self, lines: int = 40) -> str:
        """The tail of every log this group wrote, each under a header."""
        return "\n".join(
            f"===== {name} ({self.log_path(name)}) =====\n{self.log_tail(name, lines)}"
            for name in self._logged
        )

    def __enter__(self) -> ProcessGroup:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop_all()

    def _run(self, name: str) -> _Run:
        try:
            return self._runs[name]
        except KeyError:
            raise KeyError(f"no process named {name!r}; started: {self.names}") from None

    def _check_stop(self, spec: ProcessSpec) -> None:
        if self.stop_request.stop:
            raise StopRequested(f"stop requested while starting {spec.name}")

    def _launch(
        self, spec: ProcessSpec, *, batch: int | None = None, register: bool = True
    ) -> _Run:
        self._check_stop(spec)
        fresh = spec.name not in self._logged
        log, offset = logfiles.open_for_run(self.log_path(spec.name), fresh=fresh)
        if fresh:
            self._logged.append(spec.name)
        with log:
            env = {**self.env, **spec.wiring, **spec.env}
            try:
                popen = spawn(spec.argv, log, env)
            except OSError as error:
                log.write(f"devstack: cannot run {spec.argv[0]}: {error}\n".encode())
                log.flush()
                raise StartupError(
                    spec.name, "could not be started", self.log_path(spec.name)
                ) from error
        run = _Run(spec, popen, offset, self._batches if batch is None else batch)
        if register:
            self._runs[spec.name] = run
        return run

    def _wait_ready(self, run: _Run, deadline: float) -> None:
        spec = run.spec
        while not self._is_ready(run):
            self._check_stop(spec)
            code = run.popen.poll()
            if code is not None:
                raise StartupError(
                    spec.name,
                    f"exited with code {code} before it was ready",
                    self.log_path(spec.name),
                )
            if time.monotonic() > deadline:
                self._terminate([run], self.stop_grace)
                raise StartupError(
                    spec.name,
                    f"was not ready after {spec.timeout:.0f}s (waited for {spec.waits_for()})",
                    self.log_path(spec.name),
                )
            time.sleep(POLL_SECONDS)

    def _is_ready(self, run: _Run) -> bool:
        if run.popen.poll() is not None:
            return False
        if run.spec.ready_log and not re.search(
            run.spec.ready_log, logfiles.read_from(self.log_path(run.spec.name), run.log_offset)
        ):
            return False
        return run.spec.ready is None or run.spec.ready()

    def _terminate(self, runs: list[_Run], grace: float) -> None:
        """SIGTERM to each process group (and SIGCONT: a stopped process acts on SIGTERM only
        once continued), SIGKILL to those still running after `grace` seconds or as soon as the
        stop is hurried; then up to `KILL_WAIT` for them to be gone."""
        for run in runs:
            run.stopped = True
        running = self._running(runs)
        for run in running:
            signal_process(run.popen.pid, signal.SIGTERM)
            signal_process(run.popen.pid, signal.SIGCONT)
        for run in self._wait_gone(running, grace, hurriable=True):
            with self.log_path(run.spec.name).open("ab") as log:
                log.write(f"--- devstack: SIGKILL ({grace:.1f}s after SIGTERM) ---\n".encode())
            signal_process(run.popen.pid, signal.SIGKILL)
        self._wait_gone(running, KILL_WAIT)

    def _wait_gone(
        self, runs: list[_Run], seconds: float, *, hurriable: bool = False
    ) -> list[_Run]:
        """Wait up to `seconds` for the runs to be gone (less if hurriable and hurried); the
        runs still there."""
        deadline = time.monotonic() + seconds
        while (left := self._running(runs)) and time.monotonic() < deadline:
            if hurriable and self.stop_request.hurry:
                break
            time.sleep(POLL_SECONDS / 2)
        return left

    @staticmethod
    def _running(runs: list[_Run]) -> list[_Run]:
        """The runs whose leader, or anything else in its process group, still runs."""
        exited = [run.popen.pid for run in runs if run.popen.poll() is not None]
        groups = running_groups(exited)
        return [run for run in runs if run.popen.returncode is None or run.popen.pid in groups]
