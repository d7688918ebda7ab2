"""A short-lived in-process cache of public catalog pages, the hottest read of the product."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from catalog.adapters.repository import CourseRepository, Page

MAX_ENTRIES = 512


class PublishedPages:
    """published() through a TTL cache: a new course shows within `ttl` seconds."""

    def __init__(self, courses: CourseRepository, ttl: float) -> None:
        self._courses = courses
        self._ttl = ttl
        self._pages: dict[str, tuple[float, Page]] = {}
        self._lock = threading.Lock()

    def published(self, category: str | None, limit: int, start: dict[str, Any] | None) -> Page:
        if self._ttl <= 0:
            return self._courses.published(category, limit, start)
        key = json.dumps([category, limit, start], sort_keys=True)
        now = time.monotonic()
        with self._lock:
            cached = self._pages.get(key)
        if cached and now - cached[0] < self._ttl:
            return cached[1]
        page = self._courses.published(category, limit, start)
        with self._lock:
            if len(self._pages) >= MAX_ENTRIES:
                self._pages.clear()
            self._pages[key] = (now, page)
        return page
