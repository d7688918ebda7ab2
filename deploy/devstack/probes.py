"""Readiness probes: does an HTTP URL, a TCP port or a Redis server answer right now?"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import redis
import requests

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class Probe:
    """A named readiness check; an exception while checking counts as "not yet"."""

    description: str
    check: Callable[[], bool]

    def __call__(self) -> bool:
        try:
            return self.check()
        except Exception:
            return False


def http_answers(url: str, timeout: float = 1.0) -> bool:
    """True when anything at `url` gives an HTTP response, whatever its status."""
    try:
        requests.get(url, timeout=timeout)
    except requests.RequestException:
        return False
    return True


def http_ok(url: str, timeout: float = 1.0) -> Probe:
    """A probe that holds once GET `url` returns 200."""
    return Probe(f"GET {url} -> 200", lambda: requests.get(url, timeout=timeout).status_code == 200)


def port_open(host: str, port: int, timeout: float = 0.5) -> Probe:
    """A probe that holds once a TCP connection to host:port succeeds."""

    def connect() -> bool:
        with socket.create_connection((host, port), timeout=timeout):
            return True

    return Probe(f"TCP {host}:{port} open", connect)


def redis_ping(url: str) -> Probe:
    """A probe that holds once the Redis at `url` answers PING."""
    return Probe(f"Redis PING at {url}", lambda: redis_answers(url))


def redis_answers(url: str, timeout: float = 0.5) -> bool:
    """True when the Redis at `url` answers PING."""
    client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False
    finally:
        client.close()


def is_local(url: str) -> bool:
    """True when `url` points at this machine's loopback interface."""
    return (urlsplit(url).hostname or "") in LOCAL_HOSTS


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (the OS picks it)."""
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """`count` distinct free ports: each stays bound until all are picked, so the OS cannot hand
    out one twice (separate `free_port()` calls can, and two processes then fight over it)."""
    with contextlib.ExitStack() as held:
        ports = []
        for _ in range(count):
            sock = held.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind(("127.0.0.1", 0))
            ports.append(int(sock.getsockname()[1]))
        return ports
