"""A brief per-process hold of anonymous GET answers that the upstream marked public."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Response, request

from shared.hold import BriefHold
from shared.metrics.instruments import GATEWAY_EDGE_CACHE

Handler = Callable[[], Response]

MAX_ENTRIES = 256
MAX_BODY_BYTES = 256 * 1024


@dataclass(frozen=True)
class Held:
    """An answer as it was forwarded: status, the allow-listed headers and the body."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


class EdgeCache:
    """Holds each answer for `hold_seconds` at most, only when the request carried no
    credentials and the upstream said `Cache-Control: public` (the catalog says so for the pages
    a plain browse reaches, so made-up queries are never held). A client's `Cache-Control:
    no-cache` is served fresh. At most MAX_ENTRIES answers of up to MAX_BODY_BYTES each, least
    recently used out first; `hold_seconds` <= 0 turns it off.

    What it buys: a popular listing page answered without the hop to the catalog. What it costs:
    a change shows at most `hold_seconds` later than through the catalog itself."""

    def __init__(self, hold_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._held: BriefHold[str, Held] = BriefHold(hold_seconds, MAX_ENTRIES, clock)

    def around(self, forward: Handler) -> Handler:
        """`forward`, answered from the cache when it holds a fresh copy."""
        if self._held.seconds <= 0:
            return forward

        def cached() -> Response:
            if request.method != "GET" or "Authorization" in request.headers:
                return forward()
            key = request.full_path
            if not _wants_fresh():
                held = self._held.get(key)
                if held is not None:
                    GATEWAY_EDGE_CACHE.labels("hit").inc()
                    return Response(held.body, status=held.status, headers=list(held.headers))
            response = forward()
            GATEWAY_EDGE_CACHE.labels("miss" if self._keep(key, response) else "pass").inc()
            return response

        return cached

    def _keep(self, key: str, response: Response) -> bool:
        if not _shareable(response):
            return False
        body = response.get_data()
        if len(body) > MAX_BODY_BYTES:
            return False
        headers = tuple((name, value) for name, value in response.headers.items())
        self._held.put(key, Held(response.status_code, headers, body))
        return True


def _shareable(response: Response) -> bool:
    return (
        response.status_code == 200
        and not response.is_streamed
        and "public" in _directives(response.headers.get("Cache-Control", ""))
    )


def _wants_fresh() -> bool:
    return bool({"no-cache", "no-store"} & _directives(request.headers.get("Cache-Control", "")))


def _directives(header: str) -> set[str]:
    return {part.split("=", 1)[0].strip().lower() for part in header.split(",")}
