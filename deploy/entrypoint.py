#!/usr/bin/env python3
"""The container image's entrypoint: starts the named process exactly as devstack does.

    prolearn web <service>       gunicorn, with the service's worker class (chat: gevent)
    prolearn worker <service>    the service's Celery worker on <service>.events
    prolearn relay <service>     the outbox relay and the service's periodic jobs
    prolearn provision [svc...]  create tables and the media bucket (idempotent), then exit
    prolearn standins            the local Clerk, Cashfree and Resend stand-ins
    prolearn emulator            moto (DynamoDB + S3) with DynamoDB's transaction isolation
    prolearn probe web <service> | worker <service> | standins | emulator
                                 exit 0 when it answers 2xx (health checks; a worker: GET /live
                                 on $METRICS_PORT, 503 once it stops consuming its queue)

Anything else runs as given (`prolearn python -m shared.ops billing deadletters`, `prolearn bash`).
Listeners bind 0.0.0.0 on $PORT, else $<SERVICE>_PORT (or $STANDINS_PORT), else the default port;
workers and relays serve Prometheus metrics on $METRICS_PORT (default 9100).
"""

from __future__ import annotations

import os
import sys
import tempfile
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from shared.config import SERVICE_PORTS

if TYPE_CHECKING:
    from devstack.spec import ProcessSpec

# devstack (and with it boto3 and redis) is imported only to start a process: `probe` runs every
# few seconds as a container health check and must stay cheap.

ALL_INTERFACES = "0.0.0.0"
STANDINS_PORT = 8090
EMULATOR_PORT = 5055
METRICS_PORT = 9100
METRICS_DIR = Path(tempfile.gettempdir()) / "prolearn-metrics"
"""One process group per container, so one multi-process metrics directory."""


class UsageError(Exception):
    """The arguments name no process this image knows how to start."""


def listen_port(process: str, env: Mapping[str, str]) -> int:
    """$PORT (set by Render and similar hosts), else the variable devstack reads, else the
    default."""
    if process == "emulator":
        return int(env.get("PORT") or EMULATOR_PORT)
    if process == "standins":
        return int(env.get("PORT") or env.get("STANDINS_PORT") or STANDINS_PORT)
    return int(env.get("PORT") or env.get(f"{process.upper()}_PORT") or SERVICE_PORTS[process])


def metrics_port(env: Mapping[str, str]) -> int:
    return int(env.get("METRICS_PORT") or METRICS_PORT)


def in_container(spec: ProcessSpec) -> ProcessSpec:
    """devstack's process with its loopback listeners opened to every interface."""
    argv = list(spec.argv)
    if "-b" in argv:
        bind = argv.index("-b") + 1
        argv[bind] = f"{ALL_INTERFACES}:{argv[bind].rsplit(':', 1)[1]}"
    wiring = dict(spec.wiring)
    if "METRICS_HOST" in wiring:
        wiring["METRICS_HOST"] = ALL_INTERFACES
    return replace(spec, argv=tuple(argv), wiring=wiring)


def _service(args: Sequence[str], allowed: Sequence[str], what: str) -> str:
    if len(args) != 1 or args[0] not in allowed:
        raise UsageError(f"{what} needs one of: {', '.join(allowed)}")
    return args[0]


def _no_arguments(args: Sequence[str], what: str) -> None:
    if args:
        raise UsageError(f"{what} takes no arguments")


def _web(args: Sequence[str], env: Mapping[str, str]) -> ProcessSpec:
    from devstack import commands

    service = _service(args, list(SERVICE_PORTS), "web")
    return commands.web(service, listen_port(service, env), METRICS_DIR)


def _worker(args: Sequence[str], env: Mapping[str, str]) -> ProcessSpec:
    from devstack import commands

    service = _service(args, commands.consumers(SERVICE_PORTS), "worker")
    return commands.worker(service, metrics_port(env), METRICS_DIR)


def _relay(args: Sequence[str], env: Mapping[str, str]) -> ProcessSpec:
    from devstack import commands

    service = _service(args, commands.producers(SERVICE_PORTS), "relay")
    return commands.relay(service, metrics_port(env))


def _provision(args: Sequence[str], env: Mapping[str, str]) -> ProcessSpec:
    from devstack import commands

    for service in args:
        _service([service], commands.producers(SERVICE_PORTS), "provision")
    spec = commands.provision()
    return replace(spec, argv=(*spec.argv, *args))


def _standins(args: Sequence[str], env: Mapping[str, str]) -> ProcessSpec:
    from devstack import commands

    _no_arguments(args, "standins")
    return commands.standins(listen_port("standins", env))


def _emulator(args: Sequence[str], env: Mapping[str, str]) -> ProcessSpec:
    from devstack.spec import ProcessSpec

    _no_arguments(args, "emulator")
    port = str(listen_port("emulator", env))
    argv = (sys.executable, "-m", "devstack.emulator", "-H", ALL_INTERFACES, "-p", port)
    return ProcessSpec("emulator", argv)


PROCESSES: dict[str, Callable[[Sequence[str], Mapping[str, str]], ProcessSpec]] = {
    "web": _web,
    "worker": _worker,
    "relay": _relay,
    "provision": _provision,
    "standins": _standins,
    "emulator": _emulator,
}


def process(args: Sequence[str], env: Mapping[str, str]) -> ProcessSpec:
    """What `prolearn <args>` runs; arguments naming no known process run as given."""
    if not args:
        raise UsageError("name a process: " + ", ".join(PROCESSES))
    build = PROCESSES.get(args[0])
    if build is None:
        from devstack.spec import ProcessSpec

        return ProcessSpec(args[0], tuple(args))
    return in_container(build(args[1:], env))


def probe_url(args: Sequence[str], env: Mapping[str, str]) -> str:
    """Where `probe` looks: a service's or the stand-ins' /health, a worker's /live on its
    metrics port, the emulator's root."""
    what, *rest = args or [""]
    if what == "web":
        service = _service(rest, list(SERVICE_PORTS), "probe web")
        return f"http://127.0.0.1:{listen_port(service, env)}/health"
    if what == "worker":
        _service(rest, list(SERVICE_PORTS), "probe worker")
        return f"http://127.0.0.1:{metrics_port(env)}/live"
    if what in ("standins", "emulator") and not rest:
        path = "/health" if what == "standins" else "/"
        return f"http://127.0.0.1:{listen_port(what, env)}{path}"
    raise UsageError("probe needs: web <service> | worker <service> | standins | emulator")


def probe(args: Sequence[str], env: Mapping[str, str]) -> int:
    """A container health check that needs no curl in the image: 0 when the process answers."""
    url = probe_url(args, env)
    try:
        with urllib.request.urlopen(url, timeout=3) as response:  # noqa: S310 (http, loopback)
            return 0 if 200 <= response.status < 300 else 1
    except OSError:
        return 1


def run(spec: ProcessSpec, env: Mapping[str, str]) -> NoReturn:
    """Become the process (so signals reach the server itself); the operator's variables win
    over the wiring."""
    os.execvpe(spec.argv[0], spec.argv, {**spec.wiring, **env})  # noqa: S606


def main(argv: Sequence[str] = sys.argv[1:], env: Mapping[str, str] = os.environ) -> int:
    try:
        if argv and argv[0] == "probe":
            return probe(argv[1:], env)
        spec = process(argv, env)
    except UsageError as error:
        print(f"prolearn: {error}\n\n{__doc__}", file=sys.stderr)
        return 2
    return run(spec, env)


if __name__ == "__main__":
    sys.exit(main())
