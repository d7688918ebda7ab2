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
from types import TracebackType

from devstack import logfiles
from devstack.proctree import child_pids, group_alive, signal_process
from devstack.spec import ProcessSpec, StartupError

POLL_SECONDS = 0.1


@dataclass
class _Run:
    spec: ProcessSpec
    popen: subprocess.Popen[bytes]
    log_offset: int
    batch: int
    stopped: bool = False


class ProcessGroup:
    """The processes this group started; `stop_all` stops them in reverse start order.

    Each `start` call is a batch: launched together, and stopped together.
    """

    def __init__(
        self, log_dir: Path, env: Mapping[str, str] | None = None, stop_grace: float = 5.0
    ) -> None:
        self.log_dir = log_dir
        # Unbuffered, so that log tails and `ready_log` see output as soon as it is written.
        self.env = {**(os.environ if env is None else env), "PYTHONUNBUFFERED": "1"}
        self.stop_grace = stop_grace
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
        try:
            code = run.popen.wait(spec.timeout)
        except subprocess.TimeoutExpired:
            self._terminate([run])
            raise StartupError(
                spec.name, f"did not finish in {spec.timeout:.0f}s", self.log_path(spec.name)
            ) from None
        if code != 0:
            raise StartupError(spec.name, f"failed with exit code {code}", self.log_path(spec.name))

    def restart(self, name: str, env: Mapping[str, str] | None = None) -> None:
        """Stop `name` (whatever is left of it) and start it again; `env` replaces the spec's
        own extra variables (None keeps them); its `wiring` stays."""
        old = self._run(name)
        self.stop(name)
        spec = old.spec if env is None else replace(old.spec, env=dict(env))
        new = self._launch(spec, batch=old.batch)
        self._wait_ready(new, time.monotonic() + old.spec.timeout)

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
        self._terminate([self._run(name)])

    def stop_all(self) -> None:
        """Stop the batches in reverse start order; the processes of one batch together."""
        for batch in sorted({run.batch for run in self._runs.values()}, reverse=True):
            self._terminate([run for run in self._runs.values() if run.batch == batch])

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

    def _launch(
        self, spec: ProcessSpec, *, batch: int | None = None, register: bool = True
    ) -> _Run:
        fresh = spec.name not in self._logged
        log, offset = logfiles.open_for_run(self.log_path(spec.name), fresh=fresh)
        if fresh:
            self._logged.append(spec.name)
        with log:
            try:
                popen = subprocess.Popen(
                    spec.argv,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env={**self.env, **spec.wiring, **spec.env},
                    start_new_session=True,
                )
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
            code = run.popen.poll()
            if code is not None:
                raise StartupError(
                    spec.name,
                    f"exited with code {code} before it was ready",
                    self.log_path(spec.name),
                )
            if time.monotonic() > deadline:
                self._terminate([run])
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

    def _terminate(self, runs: list[_Run]) -> None:
        """SIGTERM to each process group, SIGKILL to those still there after the grace period."""
        runs = [run for run in runs if not (run.stopped and run.popen.returncode is not None)]
        for run in runs:
            run.stopped = True
            signal_process(run.popen.pid, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_grace
        while any(self._alive(run) for run in runs) and time.monotonic() < deadline:
            time.sleep(POLL_SECONDS / 2)
        for run in runs:
            if self._alive(run):
                signal_process(run.popen.pid, signal.SIGKILL)
                run.popen.wait()

    @staticmethod
    def _alive(run: _Run) -> bool:
        """True while the leader or anything else in its process group is still there."""
        return run.popen.poll() is None or group_alive(run.popen.pid)
