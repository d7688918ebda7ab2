"""Process trees without psutil: children that die with this process, signals to process groups,
the children of a process. `python -m devstack.proctree` is the reaper (see `Reaper`)."""

from __future__ import annotations

import contextlib
import ctypes
import os
import select
import signal
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import BinaryIO

PROC = Path("/proc")
PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
REAPER_PRUNE_SECONDS = 1.0


def signal_process(pid: int, sig: int, *, whole_group: bool = True) -> None:
    """Send `sig` to the process group led by `pid` (or to `pid` alone); gone is fine."""
    with contextlib.suppress(ProcessLookupError):
        if whole_group:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)


def die_with_parent(sig: int, parent: int) -> None:
    """Have the kernel send `sig` to this process once the thread of `parent` that forked it ends.

    Linux only, a no-op elsewhere. Call it in the process itself or in a child before exec (a
    `preexec_fn`: it only calls prctl); when `parent` is gone already, `sig` comes at once.
    """
    if _LIBC is None:
        return
    _LIBC.prctl(PR_SET_PDEATHSIG, sig)
    if os.getppid() != parent:
        os.kill(os.getpid(), sig)


def group_alive(pgid: int) -> bool:
    """True while any process (zombies included) is left in the process group."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def running_groups(pgids: Iterable[int]) -> set[int]:
    """Those of `pgids` whose group still has a process that runs: zombies, which hold no port or
    file, do not count (one scan of /proc for them all)."""
    candidates = {pgid for pgid in pgids if group_alive(pgid)}
    if not candidates or not PROC.is_dir():
        return candidates
    return {
        pgrp
        for _, fields in _stats()
        if fields[0] != "Z" and (pgrp := int(fields[2])) in candidates
    }


def child_pids(pid: int) -> list[int]:
    """The pids whose parent is `pid`, ascending (a Celery worker's pool, gunicorn's workers).

    /proc/PID/task/*/children when the kernel has it, else a scan of /proc/*/stat, else pgrep.
    """
    if PROC.is_dir():
        return _from_children_files(pid) or sorted(
            child for child, fields in _stats() if fields[1] == str(pid)
        )
    result = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    return sorted(int(p) for p in result.stdout.split())


class Reaper:
    """A watchdog process that SIGKILLs the process groups it is told about once this process is
    gone, however it ended (the pipe to it closes), so their children go too, not only the leaders
    the kernel signals (PDEATHSIG). Groups that ended are forgotten within a second."""

    def __init__(self) -> None:
        self._popen: subprocess.Popen[bytes] | None = None

    def watch(self, pgid: int) -> None:
        """Add a group; the watchdog is started on first use (and again should it have died)."""
        if self._popen is None or self._popen.poll() is not None:
            self._popen = subprocess.Popen(
                (sys.executable, "-m", "devstack.proctree"),
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C in the terminal must not end it first
            )
        assert self._popen.stdin is not None
        with contextlib.suppress(OSError):
            self._popen.stdin.write(f"{pgid}\n".encode())
            self._popen.stdin.flush()


def reap(fd: int) -> None:
    """The watchdog's loop: read pgids (one a line) from `fd` until end of file, then SIGKILL
    those groups still there."""
    groups: set[int] = set()
    pending = b""
    while True:
        readable, _, _ = select.select([fd], [], [], REAPER_PRUNE_SECONDS)
        if readable:
            data = os.read(fd, 4096)
            if not data:
                break
            *lines, pending = (pending + data).split(b"\n")
            groups.update(int(line) for line in lines)
        groups = {pgid for pgid in groups if group_alive(pgid)}
    for pgid in groups:
        signal_process(pgid, signal.SIGKILL)


_LAUNCHER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="devstack-launcher")
"""Forks every child. PDEATHSIG fires when the *thread* that forked the child ends: with one
thread that lives as long as the process, that means when this process ends, whichever thread
called `spawn` (a harness's thread that restarts a process and finishes must not kill it)."""
_REAPER = Reaper()


def spawn(argv: tuple[str, ...], log: BinaryIO, env: Mapping[str, str]) -> subprocess.Popen[bytes]:
    """Start `argv` writing to `log`, in a session of its own (Ctrl-C in the terminal is ours to
    handle), SIGKILLed by the kernel once this process ends (PDEATHSIG; not SIGTERM: nobody
    would be left to escalate one that is ignored, or queued behind a SIGSTOP), and its whole
    group, children included, by the reaper."""
    return _LAUNCHER.submit(_spawn, argv, log, env).result()


def _spawn(argv: tuple[str, ...], log: BinaryIO, env: Mapping[str, str]) -> subprocess.Popen[bytes]:
    popen = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
        preexec_fn=partial(die_with_parent, signal.SIGKILL, os.getpid()),
    )
    _REAPER.watch(popen.pid)
    return popen


def _from_children_files(pid: int) -> list[int]:
    """Read /proc/PID/task/*/children (kernels built with CONFIG_PROC_CHILDREN)."""
    found: set[int] = set()
    for children in PROC.glob(f"{pid}/task/*/children"):
        try:
            found.update(int(p) for p in children.read_text().split())
        except OSError:
            continue
    return sorted(found)


def _stats() -> Iterator[tuple[int, list[str]]]:
    """Every process's pid and /proc/PID/stat fields after its name: state, ppid, pgrp, …"""
    for name in os.listdir(PROC):
        if not name.isdigit():
            continue
        try:
            with open(PROC / name / "stat") as stat:
                fields = stat.read().rpartition(")")[2].split()
        except OSError:
            continue
        if len(fields) > 2:
            yield int(name), fields


if __name__ == "__main__":
    reap(sys.stdin.fileno())
