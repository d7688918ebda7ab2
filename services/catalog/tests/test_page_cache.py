"""The public catalog page cache: fresh within its TTL, bypassed when disabled."""

from __future__ import annotations

import time
from typing import Any

from catalog.adapters.page_cache import PublishedPages
from catalog.adapters.repository import Page


class CountingCourses:
    def __init__(self) -> None:
        self.calls = 0

    def published(self, category: str | None, limit: int, start: dict[str, Any] | None) -> Page:
        self.calls += 1
        return Page(courses=[], last_key={"call": str(self.calls)})


def test_pages_are_reused_within_the_ttl_only() -> None:
    courses = CountingCourses()
    pages = PublishedPages(courses, ttl=0.2)  # type: ignore[arg-type]
    first = pages.published(None, 20, None)
    assert pages.published(None, 20, None) is first
    assert pages.published("Programming", 20, None) is not first
    time.sleep(0.25)
    assert pages.published(None, 20, None) is not first
    assert courses.calls == 3


def test_a_zero_ttl_always_reads() -> None:
    courses = CountingCourses()
    pages = PublishedPages(courses, ttl=0)  # type: ignore[arg-type]
    pages.published(None, 20, None)
    pages.published(None, 20, None)
    assert courses.calls == 2
