"""The killer: each planned fault at its moment, a SIGKILL to a process this stack started, and
the restart an orchestrator would make (gunicorn and Celery respawn their own children)."""

from __future__ import annotations

import random
import signal
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from chaos.plan import PlannedFault
from devstack.processes import ProcessGroup
from devstack.proctree import signal_process
from devstack.spec import DevstackError

FAULT_ERRORS = (DevstackError, OSError)
POLL_SECONDS = 0.05


class FaultError(DevstackError):
    """A fault could not strike as planned."""


@dataclass(frozen=True)
class FaultRecord:
    kind: str
    target: str
    at_s: float
    """Seconds after the load started, at the SIGKILL."""
    pid: int | None
    back_after_s: float | None = None
    """For a process the harness restarts: seconds from the SIGKILL until it was ready again."""
    error: str | None = None


@dataclass(frozen=True)
class _Strike:
    fault: PlannedFault
    at: float
    pid: int
    back: Future[float] | None

    def record(self, started: float) -> FaultRecord:
        at_s = round(self.at - started, 2)
        kind, target = self.fault.kind, self.fault.target
        try:
            back = None if self.back is None else round(self.back.result(), 2)
        except FAULT_ERRORS as error:
            return FaultRecord(kind, target, at_s, self.pid, error=f"not back: {error}")
        return FaultRecord(kind, target, at_s, self.pid, back)


def run_faults(
    processes: ProcessGroup,
    faults: Sequence[PlannedFault],
    started: float,
    orders_begun: Callable[[], int],
    seed: int,
) -> list[FaultRecord]:
    """Strike each fault at `started` (monotonic) + its planned time, and not before the load
    has begun its planned number of orders. A killed process comes back in the background, so
    a slow start does not delay the faults after it."""
    rng = random.Random(seed)
    records: list[FaultRecord | _Strike] = []
    returning: dict[str, Future[float]] = {}
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="orchestrator") as orchestrator:
        for fault in faults:
            while time.monotonic() < started + fault.at or orders_begun() < fault.after_orders:
                time.sleep(POLL_SECONDS)
            if fault.target in returning:
                wait([returning.pop(fault.target)])  # struck again only once it is back
            at = time.monotonic()
            try:
                pid = _kill(processes, fault, rng)
            except FAULT_ERRORS as error:
                at_s = round(at - started, 2)
                records.append(FaultRecord(fault.kind, fault.target, at_s, None, error=str(error)))
                continue
            back = None
            if fault.kind.restarts:
                back = returning[fault.target] = orchestrator.submit(
                    _bring_back, processes, fault, at
                )
            records.append(_Strike(fault, at, pid, back))
    return [r.record(started) if isinstance(r, _Strike) else r for r in records]


def _kill(processes: ProcessGroup, fault: PlannedFault, rng: random.Random) -> int:
    """SIGKILL the target (a whole process group, or one child); the pid killed."""
    if fault.target not in processes.names:
        raise FaultError(f"{fault.target} was not started by this stack")
    if not fault.kind.restarts:
        children = processes.children(fault.target)
        if not children:
            raise FaultError(f"{fault.target} has no child process to kill")
        pid = rng.choice(children)
        signal_process(pid, signal.SIGKILL, whole_group=False)
        return pid
    pid = processes.pid(fault.target)
    processes.kill(fault.target, signal.SIGKILL)
    if processes.wait(fault.target, timeout=10) is None:
        raise FaultError(f"{fault.target} still runs 10 s after SIGKILL")
    return pid


def _bring_back(processes: ProcessGroup, fault: PlannedFault, killed_at: float) -> float:
    """After the fault's down time, start the process again; seconds from the kill to ready."""
    time.sleep(fault.down_for)
    processes.restart(fault.target)
    return time.monotonic() - killed_at
