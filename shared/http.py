"""HTTP client sessions with a keep-alive pool sized for threaded servers, and URL paths built
from data with every segment encoded."""

from __future__ import annotations

from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter


def new_session(pool_size: int = 32) -> requests.Session:
    """Service-to-service calls: no proxy or .netrc lookups from the environment per request."""
    session = requests.Session()
    session.trust_env = False
    adapter = HTTPAdapter(pool_connections=8, pool_maxsize=pool_size, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def segment(value: str) -> str:
    """One path segment from data: `/`, `..`, `?`, `%` and the rest cannot re-target the URL."""
    if value in ("", ".", ".."):
        raise ValueError(f"{value!r} cannot be a path segment")
    return quote(value, safe="")


def url_path(*segments: str) -> str:
    """`/orders/<id>/refunds` from ("orders", order_id, "refunds"), each segment encoded."""
    return "/" + "/".join(segment(s) for s in segments)
