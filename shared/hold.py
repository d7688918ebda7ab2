"""Values held in this process for a moment: bounded, thread-safe, least recently used out first."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BriefHold(Generic[K, V]):
    """Each value is held `seconds` at most; past `max_entries` the least recently used goes."""

    def __init__(
        self, seconds: float, max_entries: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self._clock = clock
        self._held: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            entry = self._held.get(key)
            if entry is None:
                return None
            until, value = entry
            if until <= self._clock():
                del self._held[key]
                return None
            self._held.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._held[key] = (self._clock() + self.seconds, value)
            self._held.move_to_end(key)
            while len(self._held) > self.max_entries:
                self._held.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._held.clear()
