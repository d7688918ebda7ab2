"""Signals to process groups and the children of a process, without psutil."""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path

PROC = Path("/proc")


def signal_process(pid: int, sig: int, *, whole_group: bool = True) -> None:
    """Send `sig` to the process group led by `pid` (or to `pid` alone); gone is fine."""
    with contextlib.suppress(ProcessLookupError):
        if whole_group:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)


def group_alive(pgid: int) -> bool:
    """True while any process (zombies included) is left in the process group."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def child_pids(pid: int) -> list[int]:
    """The pids whose parent is `pid`, ascending (a Celery worker's pool, gunicorn's workers).

    /proc/PID/task/*/children when the kernel has it, else a scan of /proc/*/stat, else pgrep.
    """
    if PROC.is_dir():
        return _from_children_files(pid) or _from_stat_files(pid)
    result = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    return sorted(int(p) for p in result.stdout.split())


def _from_children_files(pid: int) -> list[int]:
    """Read /proc/PID/task/*/children (kernels built with CONFIG_PROC_CHILDREN)."""
    found: set[int] = set()
    for children in PROC.glob(f"{pid}/task/*/children"):
        try:
            found.update(int(p) for p in children.read_text().split())
        except OSError:
            continue
    return sorted(found)


def _from_stat_files(pid: int) -> list[int]:
    """Scan /proc/*/stat for processes whose parent (field 4) is `pid`."""
    found = []
    for stat in PROC.glob("[0-9]*/stat"):
        try:
            after_name = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if len(after_name) > 1 and after_name[1] == str(pid):
            found.append(int(stat.parent.name))
    return sorted(found)
