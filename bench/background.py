"""A steady GET load on one URL, in a thread, while another measurement runs beside it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import requests

from bench.webhooks import percentile


@dataclass
class SteadyGets:
    """What the load did: requests sent, failed (not 200), and each one's latency."""

    url: str
    rate: float
    sent: int = 0
    failed: int = 0
    latencies_ms: list[float] = field(default_factory=list)

    def figures(self) -> dict[str, float | int | str]:
        return {
            "url": self.url,
            "rate_per_second": self.rate,
            "sent": self.sent,
            "failed": self.failed,
            "p99_ms": round(percentile(self.latencies_ms, 0.99), 1) if self.latencies_ms else 0,
        }


@contextmanager
def steady_gets(url: str, rate: float) -> Iterator[SteadyGets]:
    """GET `url` `rate` times a second (one keep-alive connection, on schedule, never bunched
    up to catch up) until the block ends; `rate` 0 sends nothing."""
    load = SteadyGets(url, rate)
    stop = threading.Event()

    def run() -> None:
        http = requests.Session()
        interval = 1 / rate
        due = time.monotonic()
        while not stop.is_set():
            started = time.perf_counter()
            try:
                ok = http.get(url, timeout=10).status_code == 200
            except requests.RequestException:
                ok = False
            load.sent += 1
            load.failed += not ok
            load.latencies_ms.append((time.perf_counter() - started) * 1000)
            due = max(due + interval, time.monotonic())
            stop.wait(max(0.0, due - time.monotonic()))

    thread = threading.Thread(target=run, name="steady-gets", daemon=True)
    if rate > 0:
        thread.start()
    try:
        yield load
    finally:
        stop.set()
        if rate > 0:
            thread.join()
