"""A short-lived in-process cache for the public catalog, the hottest read of the product."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")
MAX_ENTRIES = 512


class TtlCache(Generic[V]):
    """Values live `ttl` seconds; one caller refreshes an expired entry while others get the
    stale value, so an expiry never sends a crowd of identical queries to DynamoDB."""

    def __init__(self, ttl: float) -> None:
        self._ttl = ttl
        self._entries: dict[Hashable, tuple[float, V]] = {}
        self._refreshing: set[Hashable] = set()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], V]) -> V:
        if self._ttl <= 0:
            return compute()
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if entry and now - entry[0] < self._ttl:
                return entry[1]
            if entry and key in self._refreshing:
                return entry[1]
            self._refreshing.add(key)
        try:
            value = compute()
        finally:
            with self._lock:
                self._refreshing.discard(key)
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = (time.monotonic(), value)
        return value
