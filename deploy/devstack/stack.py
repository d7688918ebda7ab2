"""The whole local stack: backing services, stand-ins, tables, then every service's processes."""

from __future__ import annotations

import os
import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType

from devstack import commands
from devstack.backing import CACHE, aws_credentials, ensure_moto, ensure_redis
from devstack.probes import free_port, free_ports, port_open
from devstack.processes import ProcessGroup, StopRequest
from devstack.spec import DevstackError
from shared.config import SERVICE_PORTS, local_secrets

HOST = "127.0.0.1"
# Variables the stack wires to its own stand-ins; a value set in the caller's environment wins.
EXTERNAL_URL_NAMES = (
    "CLERK_JWKS_URL",
    "CLERK_API_URL",
    "CASHFREE_API_URL",
    "RESEND_API_URL",
    "CASHFREE_WEBHOOK_URL",
)


METRICS_BASE_PORT = 9100


class PortInUseError(DevstackError):
    """A port the stack would listen on is taken."""


def default_metrics_ports() -> dict[str, int]:
    """`make run`'s fixed metrics ports for workers and relays: 9101, 9102, … in a stable order."""
    names = commands.metrics_processes(SERVICE_PORTS)
    return {name: METRICS_BASE_PORT + i for i, name in enumerate(names, start=1)}


def metrics_port_variable(name: str) -> str:
    """The variable that moves a worker's or relay's metrics port: `BILLING_RELAY_METRICS_PORT`."""
    return f"{name.upper().replace('-', '_')}_METRICS_PORT"


@dataclass(frozen=True)
class StackSettings:
    """Where everything listens and what the processes are told; `extra_env` wins over all."""

    run_dir: Path = Path(".run")
    ports: Mapping[str, int] = field(default_factory=lambda: dict(SERVICE_PORTS))
    metrics_ports: Mapping[str, int] = field(default_factory=default_metrics_ports)
    """Where each worker and relay serves its metrics (web processes serve GET /metrics)."""
    standins_port: int = 8090
    redis_url: str = "redis://127.0.0.1:6379/0"
    cache_redis_url: str | None = None
    """The cache Redis, an instance apart from the broker; None: a free loopback port, chosen
    when the stack starts."""
    aws_endpoint_url: str | None = "http://127.0.0.1:5055"
    aws_region: str = "ap-south-1"
    table_prefix: str = "prolearn-dev-"
    client_url: str = "http://localhost:3000"
    extra_env: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> StackSettings:
        """The defaults, overridden by the same variables the services read."""
        d = cls()
        return replace(
            d,
            ports={s: int(environ.get(f"{s.upper()}_PORT", p)) for s, p in d.ports.items()},
            metrics_ports={
                name: int(environ.get(metrics_port_variable(name), port))
                for name, port in d.metrics_ports.items()
            },
            standins_port=int(environ.get("STANDINS_PORT", d.standins_port)),
            redis_url=environ.get("REDIS_URL") or d.redis_url,
            cache_redis_url=environ.get("CACHE_REDIS_URL") or d.cache_redis_url,
            aws_endpoint_url=environ.get("AWS_ENDPOINT_URL", d.aws_endpoint_url) or None,
            aws_region=environ.get("AWS_REGION") or d.aws_region,
            table_prefix=environ.get("TABLE_PREFIX") or d.table_prefix,
            client_url=environ.get("CLIENT_URL") or d.client_url,
            extra_env={name: environ[name] for name in EXTERNAL_URL_NAMES if environ.get(name)},
        )

    @classmethod
    def isolated(cls, run_dir: Path, extra_env: Mapping[str, str]) -> StackSettings:
        """Free ports for everything, all distinct, a private Redis and moto (tests stop and
        restart them), and a table prefix no other run uses."""
        metrics = default_metrics_ports()
        ports = iter(free_ports(len(SERVICE_PORTS) + len(metrics) + 4))
        return cls(
            run_dir=run_dir,
            ports={service: next(ports) for service in SERVICE_PORTS},
            metrics_ports={name: next(ports) for name in metrics},
            standins_port=next(ports),
            redis_url=f"redis://{HOST}:{next(ports)}/0",
            cache_redis_url=f"redis://{HOST}:{next(ports)}/0",
            aws_endpoint_url=f"http://{HOST}:{next(ports)}",
            table_prefix=f"test-{secrets.token_hex(4)}-",
            extra_env=dict(extra_env),
        )

    @property
    def standins_url(self) -> str:
        return f"http://{HOST}:{self.standins_port}"

    def service_url(self, service: str) -> str:
        return f"http://{HOST}:{self.ports[service]}"

    @property
    def metrics_dir(self) -> Path:
        """Under it, one multi-process metrics directory per process group."""
        return self.run_dir.resolve() / "metrics"

    def started_metrics_ports(self) -> dict[str, int]:
        """The metrics ports of the workers and relays this stack runs."""
        return {name: self.metrics_ports[name] for name in commands.metrics_processes(self.ports)}

    def urls(self) -> dict[str, str]:
        """Base URL of every service, stand-in and backing service, by name, and the metrics URL
        of every worker and relay as `<name>-metrics` (`billing-relay-metrics`)."""
        standins = self.standins_url
        return {
            **{service: self.service_url(service) for service in self.ports},
            **{
                f"{name}-metrics": f"http://{HOST}:{port}/metrics"
                for name, port in self.started_metrics_ports().items()
            },
            "standins": standins,
            "idp": f"{standins}/idp",
            "checkout": f"{standins}/checkout",
            "mail": f"{standins}/resend/emails",
            "moto": self.aws_endpoint_url or "(real AWS)",
            "redis": self.redis_url,
            "cache-redis": self.cache_redis_url or "(a free port, chosen at start)",
        }

    def environment(self, base: Mapping[str, str]) -> dict[str, str]:
        """`base` plus every variable that wires the processes to each other and the stand-ins."""
        standins = self.standins_url
        env = {
            **base,
            "REDIS_URL": self.redis_url,
            "CACHE_REDIS_URL": self.cache_redis_url or "",
            "AWS_ENDPOINT_URL": self.aws_endpoint_url or "",
            "AWS_REGION": self.aws_region,
            "TABLE_PREFIX": self.table_prefix,
            "CLIENT_URL": self.client_url,
            "CLERK_JWKS_URL": f"{standins}/idp/.well-known/jwks.json",
            "CLERK_API_URL": f"{standins}/idp/v1",
            "CASHFREE_API_URL": f"{standins}/pg",
            "RESEND_API_URL": f"{standins}/resend",
            "CASHFREE_WEBHOOK_URL": f"{self.service_url('gateway')}/api/payments/webhook",
            "STANDINS_PUBLIC_URL": standins,
            "IDP_PRIVATE_KEY_FILE": str(self.run_dir.resolve() / "idp-key.pem"),
        }
        for service in self.ports:
            env[f"{service.upper()}_URL"] = self.service_url(service)
            env[f"{service.upper()}_PORT"] = str(self.ports[service])
        env.update(aws_credentials(self.aws_endpoint_url, env))
        env.update(self.extra_env)
        return {**env, **shared_secrets(env)}


def shared_secrets(env: Mapping[str, str]) -> dict[str, str]:
    """The secrets stand-ins and services must agree on, as the services would read them.

    Stated explicitly, so both sides get the same value and tests can sign with it.
    """
    return local_secrets(env)


@dataclass(repr=False)
class Stack:
    """A running stack: its environment, URLs and processes; stop() ends what it started."""

    settings: StackSettings
    env: dict[str, str]
    urls: dict[str, str]
    processes: ProcessGroup
    started_redis: bool
    started_moto: bool
    started_cache_redis: bool = False

    def stop(self) -> None:
        self.processes.stop_all()

    def __repr__(self) -> str:
        return f"Stack(gateway={self.urls['gateway']}, logs={self.processes.log_dir})"

    def __enter__(self) -> Stack:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start_stack(
    settings: StackSettings,
    base_env: Mapping[str, str] | None = None,
    stop_request: StopRequest | None = None,
    only_web: Collection[str] | None = None,
) -> Stack:
    """Start everything in dependency order; on any failure stop what was started and re-raise
    (`StopRequested` once `stop_request` is set, by Ctrl-C or SIGTERM). With `only_web`, the
    backing processes and just those services' web processes: no other service, no worker and
    no relay (a benchmark of one service)."""
    cache_url = settings.cache_redis_url or f"redis://{HOST}:{free_port()}/0"
    settings = replace(settings, cache_redis_url=cache_url)
    env = settings.environment(os.environ if base_env is None else base_env)
    group = ProcessGroup(settings.run_dir / "logs", env, stop_request=stop_request)
    _require_free_ports(settings)
    try:
        started_redis = ensure_redis(settings.redis_url, group, settings.run_dir / "redis")
        started_cache = ensure_redis(cache_url, group, settings.run_dir / "cache-redis", CACHE)
        endpoint = settings.aws_endpoint_url
        started_moto = ensure_moto(endpoint, group) if endpoint else False
        group.start(commands.standins(settings.standins_port))
        group.run_once(commands.provision())
        metrics_dir, metrics_ports = settings.metrics_dir, settings.metrics_ports
        background = only_web is None
        group.start(
            *(
                commands.web(service, port, metrics_dir / service)
                for service, port in settings.ports.items()
                if only_web is None or service in only_web
            ),
            *(
                commands.worker(
                    service, metrics_ports[f"{service}-worker"], metrics_dir / f"{service}-worker"
                )
                for service in (commands.consumers(settings.ports) if background else ())
            ),
            *(
                commands.relay(service, metrics_ports[f"{service}-relay"])
                for service in (commands.producers(settings.ports) if background else ())
            ),
        )
    except BaseException:
        group.stop_all()
        raise
    return Stack(settings, env, settings.urls(), group, started_redis, started_moto, started_cache)


def _require_free_ports(settings: StackSettings) -> None:
    """Fail before starting when a port is taken (a readiness probe would hit the other server)."""
    wanted = {
        **settings.ports,
        **settings.started_metrics_ports(),
        "standins": settings.standins_port,
    }
    for name, port in wanted.items():
        if port_open(HOST, port)():
            raise PortInUseError(
                f"{name} cannot start: {HOST}:{port} is already in use (another `make run`?)"
            )
