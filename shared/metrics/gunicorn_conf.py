"""gunicorn hooks for every service's web process (`-c python:shared.metrics.gunicorn_conf`).

Its workers are separate processes, so their metrics must be multi-process: with no
`PROMETHEUS_MULTIPROC_DIR` given, the arbiter makes a private one (removed when it exits), set
before prometheus_client is first imported. The arbiter empties the directory before it forks
the first worker, and gives up a dead worker's live gauges (its counts stay in the totals)."""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def _private_dir() -> str | None:
    """A directory of this arbiter's own, unless one was given."""
    if os.environ.get(MULTIPROC_ENV):
        return None
    directory = tempfile.mkdtemp(prefix="prolearn-metrics-")
    os.environ[MULTIPROC_ENV] = directory
    return directory


PRIVATE_DIR = _private_dir()


# The hooks import prometheus_client only once the variable above is set.


def on_starting(_server: Any) -> None:
    from shared.metrics.exposition import reset_multiprocess_dir

    reset_multiprocess_dir()


def child_exit(_server: Any, worker: Any) -> None:
    from shared.metrics.exposition import mark_process_dead

    mark_process_dead(worker.pid)


def on_exit(_server: Any) -> None:
    if PRIVATE_DIR is not None:
        shutil.rmtree(PRIVATE_DIR, ignore_errors=True)
