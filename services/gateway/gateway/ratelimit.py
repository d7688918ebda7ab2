"""Fixed-window rate limits in Redis, per user or per client IP, plus named per-IP budgets for
routes that need their own (the contact form); fails open when Redis is down."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis
from flask import Response

from gateway.callers import Caller, client_ip
from shared.config import RateLimitSettings
from shared.web.errors import ApiError

log = logging.getLogger(__name__)

Handler = Callable[[], Response]


class RateLimited(ApiError):
    status, code = 429, "rate_limited"


@dataclass(frozen=True)
class Budget:
    """At most `limit` requests per client IP per window; a limit of 0 turns it off."""

    limit: int
    window_seconds: int

    def __post_init__(self) -> None:
        if self.limit > 0 and self.window_seconds < 1:
            raise ValueError("a budget's window must be at least one second")


@dataclass(frozen=True)
class Quota:
    """Where a counter stands once this request is counted."""

    limit: int
    window_seconds: int
    count: int
    resets_in: int

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(0, self.limit - self.count)),
            "X-RateLimit-Reset": str(self.resets_in),
        }

    def refusal(self, headers: dict[str, str]) -> RateLimited:
        return RateLimited(
            "Too many requests; try again later.",
            details={"limit": self.limit, "windowSeconds": self.window_seconds},
            headers={"Retry-After": str(self.resets_in), **headers},
        )


class RateLimiter:
    """At most `per_user` (signed in) or `per_ip` (anonymous) requests per window; and, apart
    from that (even when it is disabled), each named budget per client IP."""

    def __init__(self, client: redis.Redis, settings: RateLimitSettings) -> None:
        self._redis = client
        self._settings = settings
        self._budgets = {
            "contact": Budget(settings.contact_limit, settings.contact_window_seconds),
        }

    def check(self, caller: Caller) -> None:
        """Count this request for `caller`; 429 with Retry-After when over the limit."""
        if not self._settings.enabled:
            return
        limit = self._settings.per_user if caller.signed_in else self._settings.per_ip
        quota = self._count(caller.key, limit, self._settings.window_seconds)
        if quota is not None and quota.count > limit:
            raise quota.refusal({})

    def spending(self, budget_name: str, handler: Handler) -> Handler:
        """`handler`, run only while the client IP has budget left: each run spends one, and
        the answer carries X-RateLimit-*; over budget it is a 429 and `handler` never runs."""
        budget = self._budgets.get(budget_name)
        if budget is None:
            raise ValueError(f"unknown rate limit budget {budget_name!r}")
        if budget.limit <= 0:
            return handler

        def spend() -> Response:
            key = f"{budget_name}:ip:{client_ip()}"
            quota = self._count(key, budget.limit, budget.window_seconds)
            if quota is None:
                return handler()
            if quota.count > budget.limit:
                raise quota.refusal(quota.headers())
            response = handler()
            response.headers.update(quota.headers())
            return response

        return spend

    def _count(self, key: str, limit: int, window: int) -> Quota | None:
        """INCR this window's counter for `key`; None when Redis does not answer (fail open)."""
        now = time.time()
        window_start = int(now // window) * window
        redis_key = f"gateway:ratelimit:{key}:{window_start}"
        try:
            pipe = self._redis.pipeline(transaction=True)
            pipe.incr(redis_key)
            pipe.expire(redis_key, window + 1)
            count, _ = pipe.execute()
        except redis.RedisError as exc:
            log.warning("rate limit skipped: redis unavailable", extra={"error": str(exc)})
            return None
        resets_in = max(1, math.ceil(window_start + window - now))
        return Quota(limit, window, int(count), resets_in)
