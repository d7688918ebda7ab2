"""HTTP client sessions with a keep-alive pool sized for threaded servers, one retry when a
kept-alive connection drops before any answer, and URL paths built from data with every segment
encoded."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry

from shared.config import held_secret

SAFE_METHODS = Retry.DEFAULT_ALLOWED_METHODS
"""GET, HEAD, PUT, DELETE, OPTIONS, TRACE: a second try cannot do anything twice."""


class DroppedConnectionRetry(Retry):
    """One more try when the connection could not be made, or dropped before any answer: what a
    pooled keep-alive connection does when the server closes it (idle) just as it is reused. A
    read timeout is never retried (the server may still be working on it); a dropped call is
    retried only for `allowed_methods`."""

    def increment(self, *args: Any, **kwargs: Any) -> Retry:
        error = kwargs.get("error")
        if isinstance(error, ReadTimeoutError):
            raise error.with_traceback(kwargs.get("_stacktrace"))
        return super().increment(*args, **kwargs)


def dropped_connection_retry(methods: Collection[str] | None = SAFE_METHODS) -> Retry:
    """Once, no wait; `methods=None` also retries writes, for calls made safe by an
    idempotency key."""
    return DroppedConnectionRetry(
        total=1, connect=1, read=1, other=0, status=0, redirect=False, allowed_methods=methods
    )


def new_session(pool_size: int = 32, *, retry_writes: bool = False) -> requests.Session:
    """Service-to-service calls: no proxy or .netrc lookups from the environment per request;
    `retry_writes` when every write the caller sends is idempotent (keyed)."""
    session = requests.Session()
    session.trust_env = False
    retry = dropped_connection_retry(None if retry_writes else SAFE_METHODS)
    adapter = HTTPAdapter(pool_connections=8, pool_maxsize=pool_size, max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def internal_session(internal_token: str) -> requests.Session:
    """A session for another service's /internal/ routes, refused when this process holds no
    INTERNAL_API_TOKEN."""
    session = new_session()
    session.headers["X-Internal-Token"] = held_secret(internal_token, "INTERNAL_API_TOKEN")
    return session


def segment(value: str) -> str:
    """One path segment from data: `/`, `..`, `?`, `%` and the rest cannot re-target the URL."""
    if value in ("", ".", ".."):
        raise ValueError(f"{value!r} cannot be a path segment")
    return quote(value, safe="")


def url_path(*segments: str) -> str:
    """`/orders/<id>/refunds` from ("orders", order_id, "refunds"), each segment encoded."""
    return "/" + "/".join(segment(s) for s in segments)
