"""The public catalog cache: fresh within its TTL, one refresher at a time, off when ttl=0."""

from __future__ import annotations

import threading
import time

from catalog.adapters.page_cache import TtlCache


def test_values_are_reused_within_the_ttl_only() -> None:
    calls: list[int] = []
    cache: TtlCache[int] = TtlCache(ttl=0.2)

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert cache.get("all", compute) == 1
    assert cache.get("all", compute) == 1
    assert cache.get("Programming", compute) == 2
    time.sleep(0.25)
    assert cache.get("all", compute) == 3


def test_one_caller_refreshes_while_others_get_the_stale_value() -> None:
    cache: TtlCache[str] = TtlCache(ttl=0.05)
    cache.get("k", lambda: "old")
    time.sleep(0.06)
    started, release = threading.Event(), threading.Event()

    def slow() -> str:
        started.set()
        release.wait(2)
        return "new"

    refresher = threading.Thread(target=lambda: cache.get("k", slow))
    refresher.start()
    started.wait(2)
    assert cache.get("k", lambda: "crowd") == "old"
    release.set()
    refresher.join()
    assert cache.get("k", lambda: "crowd") == "new"


def test_a_zero_ttl_always_computes() -> None:
    cache: TtlCache[int] = TtlCache(ttl=0)
    values = iter(range(10))
    assert cache.get("k", lambda: next(values)) == 0
    assert cache.get("k", lambda: next(values)) == 1
