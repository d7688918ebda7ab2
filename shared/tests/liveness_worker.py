"""A throwaway worker for test_worker_liveness: the shared worker of a `liveness` service with no
event handlers, and one no-op task to feed it."""

from __future__ import annotations

from shared.messaging.worker import build_worker

app = build_worker("liveness", lambda _runtime: {})


@app.task(name="liveness.noop")
def noop() -> None:
    """Fetched and run: the worker is consuming."""
