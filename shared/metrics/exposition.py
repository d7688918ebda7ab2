"""Expose the metrics: one registry per scrape, multi-process aware, or a port of its own.

gunicorn's workers and Celery's prefork pool are separate processes. With
`PROMETHEUS_MULTIPROC_DIR` set, each writes its counts to files there and a scrape merges them
all (dead processes' counts included); without it (tests, a lone process) the counts live in
this process's default registry. A process without HTTP of its own (worker, relay) serves them on
`METRICS_PORT`, next to `GET /live`, its liveness check.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    make_wsgi_app,
    multiprocess,
)
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from shared.config import MetricsSettings

log = logging.getLogger(__name__)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
LIVE_PATH = "/live"

LiveAnswer = tuple[bool, Mapping[str, object]]
"""Live or not, and a JSON body that says why."""
LiveCheck = Callable[[], LiveAnswer]


def multiprocess_dir() -> Path | None:
    value = os.environ.get(MULTIPROC_ENV)
    return Path(value) if value else None


class _InProcess:
    """This process's default registry, re-exported into a scrape's registry."""

    def collect(self) -> Iterator[Metric]:
        return iter(REGISTRY.collect())


def scrape_registry(extra: Iterable[Collector] = ()) -> CollectorRegistry:
    """A registry for one scrape: every process's counts, then the `extra` collectors (state
    read now, such as the outbox's age)."""
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess_dir() is not None:
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_InProcess())
    for collector in extra:
        registry.register(collector)
    return registry


def render(extra: Iterable[Collector] = ()) -> tuple[bytes, str]:
    """The text exposition and its content type."""
    return generate_latest(scrape_registry(extra)), CONTENT_TYPE_LATEST


def reset_multiprocess_dir() -> None:
    """Create the multi-process directory or empty it of a previous run's files; the group's
    first process calls this before it forks anything that counts."""
    directory = multiprocess_dir()
    if directory is None:
        return
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink(missing_ok=True)


def mark_process_dead(pid: int) -> None:
    """Forget a dead process's live gauges (its counters stay in the totals)."""
    if multiprocess_dir() is not None:
        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]


def process_app(registry: CollectorRegistry, live: LiveCheck | None = None) -> WSGIApplication:
    """`GET /live`: 200 or 503 with `live`'s JSON answer (without a check, answering is being
    live); every other path: the metrics."""
    metrics: WSGIApplication = make_wsgi_app(registry)

    def app(request: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if request.get("PATH_INFO") != LIVE_PATH:
            return metrics(request, start_response)
        ok, body = live() if live is not None else (True, {"live": True})
        status = "200 OK" if ok else "503 Service Unavailable"
        start_response(status, [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]

    return app


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    """A thread per request, none of them holding the process up when it exits."""

    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    """No access log: scrapes and probes come every few seconds."""

    def log_message(self, format: str, *args: Any) -> None:
        """Log nothing."""


def _listen(host: str, port: int, app: WSGIApplication) -> None:
    """Serve `app` from a daemon thread, a thread per request (IPv4 or IPv6, as `host` is)."""
    addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)

    class Server(_ThreadingServer):
        address_family = addresses[0][0]

    server = make_server(host, port, app, Server, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, name="metrics-http", daemon=True).start()


def serve_process_metrics(
    settings: MetricsSettings, what: str, live: LiveCheck | None = None
) -> None:
    """For a process without HTTP (worker, relay): reset the multi-process directory, then
    expose the metrics and `GET /live` (see `process_app`) on `METRICS_PORT` if one is set. A
    port that cannot be bound is logged, not fatal: events matter more than their counts."""
    reset_multiprocess_dir()
    if settings.port is None:
        return
    try:
        _listen(settings.host, settings.port, process_app(scrape_registry(), live))
    except OSError:
        log.exception("metrics port unavailable", extra={"port": settings.port, "for": what})
        return
    log.info("metrics exposed", extra={"port": settings.port, "for": what})
