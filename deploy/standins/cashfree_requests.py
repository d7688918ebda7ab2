"""What the Cashfree stand-in was asked about each order, for tests that bound how often we ask."""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

from standins.clock import now

KEPT_PER_ORDER = 1000


class RequestLog:
    """The latest API requests naming each order (method, path, time), oldest first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_order: dict[str, deque[dict[str, Any]]] = {}

    def record(self, order_id: str, method: str, path: str) -> None:
        entry = {"method": method, "path": path, "at": now().isoformat()}
        with self._lock:
            self._by_order.setdefault(order_id, deque(maxlen=KEPT_PER_ORDER)).append(entry)

    def of_order(self, order_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._by_order.get(order_id, ()))
