"""A brief per-process hold of anonymous GET answers that the upstream marked public."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from flask import Response, request

from shared.metrics.instruments import GATEWAY_EDGE_CACHE

Handler = Callable[[], Response]

MAX_ENTRIES = 256
MAX_BODY_BYTES = 256 * 1024


@dataclass(frozen=True)
class Held:
    """An answer as it was forwarded: status, the allow-listed headers and the body."""

    until: float
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
        self._hold = hold_seconds
        self._clock = clock
        self._held: OrderedDict[str, Held] = OrderedDict()
        self._lock = threading.Lock()

    def around(self, forward: Handler) -> Handler:
        """`forward`, answered from the cache when it holds a fresh copy."""
        if self._hold <= 0:
            return forward

        def cached() -> Response:
            if request.method != "GET" or "Authorization" in request.headers:
                return forward()
            key = request.full_path
            if not _wants_fresh():
                held = self._fresh(key)
                if held is not None:
                    GATEWAY_EDGE_CACHE.labels("hit").inc()
                    return Response(held.body, status=held.status, headers=list(held.headers))
            response = forward()
            GATEWAY_EDGE_CACHE.labels("miss" if self._keep(key, response) else "pass").inc()
            return response

        return cached

    def _fresh(self, key: str) -> Held | None:
        with self._lock:
            held = self._held.get(key)
            if held is None:
                return None
            if held.until <= self._clock():
                del self._held[key]
                return None
            self._held.move_to_end(key)
            return held

    def _keep(self, key: str, response: Response) -> bool:
        if not _shareable(response):
            return False
        body = response.get_data()
        if len(body) > MAX_BODY_BYTES:
            return False
        headers = tuple((name, value) for name, value in response.headers.items())
        held = Held(self._clock() + self._hold, response.status_code, headers, body)
        with self._lock:
            self._held[key] = held
            self._held.move_to_end(key)
            while len(self._held) > MAX_ENTRIES:
                self._held.popitem(last=False)
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
