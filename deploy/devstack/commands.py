"""The command line and readiness check of every process in the stack, and which ones run."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from devstack.probes import http_ok
from devstack.spec import ProcessSpec
from shared.events.subscriptions import SUBSCRIPTIONS, queue_name
from shared.provision import SERVICES_WITH_TABLES

HOST = "127.0.0.1"


def _python(arguments: str) -> tuple[str, ...]:
    """This interpreter (the venv's) with space-separated arguments that need no quoting."""
    return (sys.executable, *arguments.split())


def _gunicorn(arguments: str) -> tuple[str, ...]:
    """gunicorn without its control socket: one fixed path shared by every master would clash."""
    return _python(f"-m gunicorn --no-control-socket {arguments}")


GUNICORN_CONFIG = "python:shared.metrics.gunicorn_conf"
"""The arbiter hooks that keep multi-process metrics right (a fresh directory, dead workers)."""


def metrics_wiring(directory: Path | None = None, port: int | None = None) -> dict[str, str]:
    """The variables that give a process group its own multi-process metrics directory and,
    for a process without HTTP, the loopback port its metrics are served on."""
    wiring = {"PROMETHEUS_MULTIPROC_DIR": str(directory)} if directory is not None else {}
    if port is not None:
        wiring.update(METRICS_PORT=str(port), METRICS_HOST=HOST)
    return wiring


def metrics_processes(services: Iterable[str]) -> list[str]:
    """The processes that serve their metrics on a port of their own: workers and relays."""
    names = list(services)
    return [f"{s}-worker" for s in consumers(names)] + [f"{s}-relay" for s in producers(names)]


def consumers(services: Iterable[str]) -> list[str]:
    """Services that subscribe to events, so run a Celery worker."""
    subscribed = {service for subscribers in SUBSCRIPTIONS.values() for service in subscribers}
    return [service for service in services if service in subscribed]


def producers(services: Iterable[str]) -> list[str]:
    """Services with a table, hence an outbox, so run a relay."""
    return [service for service in services if service in SERVICES_WITH_TABLES]


def standins(port: int) -> ProcessSpec:
    """Every stand-in in one process: their state lives in memory."""
    return ProcessSpec(
        "standins",
        _gunicorn(f"-w 1 --threads 16 -b {HOST}:{port} standins.wsgi:app"),
        ready=http_ok(f"http://{HOST}:{port}/health"),
    )


def provision() -> ProcessSpec:
    """Create the tables and the bucket (idempotent), once moto is up and before any service."""
    return ProcessSpec("provision", _python("-m shared.provision"), timeout=60)


THREADED = "-k gthread -w 2 --threads 8"
WORKERS = {"chat": "-k gevent -w 2 --worker-connections 4000"}
"""Chat holds a socket per participant for the whole session: greenlets, not threads."""


def web(service: str, port: int, metrics_dir: Path | None = None) -> ProcessSpec:
    """The service's gunicorn; its workers' metrics merge in `metrics_dir`, served at /metrics."""
    return served(
        service,
        f"{service}.wsgi:app",
        port,
        health="/health",
        workers=WORKERS.get(service, THREADED),
        metrics_dir=metrics_dir,
    )


def served(
    name: str,
    wsgi_target: str,
    port: int,
    health: str = "/",
    workers: str = THREADED,
    metrics_dir: Path | None = None,
) -> ProcessSpec:
    """A WSGI app under gunicorn as every service runs: 2 workers of 8 threads. Idle keep-alive
    connections live 30 s, longer than a caller's pool keeps them between bursts, so a reused
    connection is rarely closed under a request in flight."""
    return ProcessSpec(
        name,
        _gunicorn(f"-c {GUNICORN_CONFIG} {workers} --keep-alive 30 -b {HOST}:{port} {wsgi_target}"),
        ready=http_ok(f"http://{HOST}:{port}{health}"),
        timeout=60,  # a whole stack starting at once on two busy cores takes a while
        wiring=metrics_wiring(metrics_dir),
    )


def worker(
    service: str, metrics_port: int | None = None, metrics_dir: Path | None = None
) -> ProcessSpec:
    """The service's Celery worker: a prefork pool of 2, its metrics on `metrics_port`."""
    return ProcessSpec(
        f"{service}-worker",
        _python(
            f"-m celery -A {service}.worker worker -Q {queue_name(service)} -c 2 -n {service}@%h"
            " --without-gossip --without-mingle --without-heartbeat -l INFO"
        ),
        ready_log=rf"{service}@\S+ ready\.",
        timeout=60,
        wiring=metrics_wiring(metrics_dir, metrics_port),
    )


def relay(service: str, metrics_port: int | None = None) -> ProcessSpec:
    """The service's relay (one process), its metrics on `metrics_port`."""
    return ProcessSpec(
        f"{service}-relay",
        _python(f"-m shared.messaging.relay {service}"),
        ready_log="relay started",
        wiring=metrics_wiring(port=metrics_port),
    )
