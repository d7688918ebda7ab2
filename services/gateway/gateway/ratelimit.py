"""Fixed-window rate limits in Redis, per user or per client IP; fails open when Redis is down."""

from __future__ import annotations

import logging
import math
import time

import redis

from gateway.callers import Caller
from shared.config import RateLimitSettings
from shared.web.errors import ApiError

log = logging.getLogger(__name__)


class RateLimited(ApiError):
    status, code = 429, "rate_limited"


class RateLimiter:
    """At most `per_user` (signed in) or `per_ip` (anonymous) requests per window."""

    def __init__(self, client: redis.Redis, settings: RateLimitSettings) -> None:
        self._redis = client
        self._settings = settings

    def check(self, caller: Caller) -> None:
        """Count this request for `caller`; 429 with Retry-After when over the limit."""
        if not self._settings.enabled:
            return
        window = self._settings.window_seconds
        now = time.time()
        window_start = int(now // window) * window
        key = f"gateway:ratelimit:{caller.key}:{window_start}"
        try:
            pipe = self._redis.pipeline(transaction=True)
            pipe.incr(key)
            pipe.expire(key, window + 1)
            count, _ = pipe.execute()
        except redis.RedisError as exc:
            log.warning("rate limit skipped: redis unavailable", extra={"error": str(exc)})
            return
        limit = self._settings.per_user if caller.signed_in else self._settings.per_ip
        if count > limit:
            retry_after = max(1, math.ceil(window_start + window - now))
            raise RateLimited(
                "Too many requests; try again later.",
                details={"limit": limit, "windowSeconds": window},
                headers={"Retry-After": str(retry_after)},
            )
