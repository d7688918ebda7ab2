"""Expose the metrics: one registry per scrape, multi-process aware, or a port of its own.

gunicorn's workers and Celery's prefork pool are separate processes. With
`PROMETHEUS_MULTIPROC_DIR` set, each writes its counts to files there and a scrape merges them
all (dead processes' counts included); without it (tests, a lone process) the counts live in
this process's default registry.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
    start_http_server,
)
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from shared.config import MetricsSettings

log = logging.getLogger(__name__)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


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


def serve_process_metrics(settings: MetricsSettings, what: str) -> None:
    """For a process without HTTP (worker, relay): reset the multi-process directory, then
    expose the metrics on `METRICS_PORT` if one is set. A port that cannot be bound is logged,
    not fatal: events matter more than their counts."""
    reset_multiprocess_dir()
    if settings.port is None:
        return
    try:
        start_http_server(settings.port, settings.host, registry=scrape_registry())
    except OSError:
        log.exception("metrics port unavailable", extra={"port": settings.port, "for": what})
        return
    log.info("metrics exposed", extra={"port": settings.port, "for": what})
