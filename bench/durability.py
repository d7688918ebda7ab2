"""The price of the broker's durability: webhook → enrollment at one rate with the broker's AOF
fsync'd every second (what ProLearn runs, with the relay re-sending what a crash lost) and with
`appendfsync always` (every write on disk before Redis answers), in the same run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import redis

from bench.webhooks import Shop, measure

POLICIES = ("everysec", "always")


def broker_durability(
    shop: Shop, redis_url: str, rate: float, seconds: int, drain: Callable[[str], None]
) -> dict[str, Any]:
    """One steady webhook run per fsync policy, the queues drained in between; the broker is
    left on `everysec`. `drain(redis_url)` waits until the workers emptied their queues."""
    broker = redis.Redis.from_url(redis_url)
    figures: dict[str, Any] = {}
    try:
        for policy in POLICIES:
            broker.config_set("appendfsync", policy)
            figures[policy] = asdict(measure(shop, rate, seconds))
            print(f"webhook -> enrollment, appendfsync {policy}:", figures[policy], flush=True)
            drain(redis_url)
    finally:
        broker.config_set("appendfsync", "everysec")
    everysec, always = (figures[p]["p99_ms"] for p in POLICIES)
    figures["p99_always_over_everysec"] = round(always / everysec, 2) if everysec else None
    return figures
