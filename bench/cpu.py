"""CPU time of every process the stack runs, its children included, by a readable group name."""

from __future__ import annotations

import contextlib

import psutil

from devstack.processes import ProcessGroup
from shared.config import SERVICE_PORTS

RENAMED = {"moto": "emulator"}
NOT_OURS = frozenset({"emulator", "standins", "redis", "cache-redis", "hello", "socketio"})
"""Groups that are not ProLearn's own code: the emulator, the stand-ins, Redis, the anchor."""


def group_name(process: str) -> str:
    """`catalog` (a web process) → `catalog-web`, `moto` → `emulator`, others as named
    (`enrollment-worker`, `billing-relay`, `standins`, `redis`)."""
    if process in SERVICE_PORTS:
        return f"{process}-web"
    return RENAMED.get(process, process)


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of `pid` and every live descendant (gunicorn workers, a Celery
    pool); a descendant that has already exited is not seen."""
    try:
        root = psutil.Process(pid)
        tree = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for process in tree:
        with contextlib.suppress(psutil.NoSuchProcess):
            times = process.cpu_times()
            total += times.user + times.system
    return total


def cpu_by_group(processes: ProcessGroup) -> dict[str, float]:
    """CPU seconds used so far by each running process of the group, its children included."""
    return {
        group_name(name): tree_cpu_seconds(processes.pid(name))
        for name in processes.names
        if processes.is_running(name)
    }
