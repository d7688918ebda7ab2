"""Per-process log files: open one for a run of the process, read back its tail."""

from __future__ import annotations

import time
from pathlib import Path
from typing import BinaryIO

TAIL_BYTES = 64 * 1024


def open_for_run(path: Path, *, fresh: bool) -> tuple[BinaryIO, int]:
    """The log opened for appending (emptied when `fresh`) and the offset where this run starts."""
    path.parent.mkdir(parents=True, exist_ok=True)
    log = path.open("wb" if fresh else "ab")
    if not fresh:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        log.write(f"\n--- devstack: restarted at {stamp} ---\n".encode())
        log.flush()
    return log, log.tell()


def read_from(path: Path, offset: int) -> str:
    """What the process wrote to its log from `offset` on."""
    try:
        with path.open("rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")
    except OSError:
        return ""


def tail(path: Path, lines: int = 40) -> str:
    """The last `lines` lines of the log, or a note that there is none."""
    try:
        with path.open("rb") as log:
            log.seek(max(0, path.stat().st_size - TAIL_BYTES))
            text = log.read().decode(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:]) or "(log is empty)"
