"""The rendered public catalog listing pages, cached in Redis and dropped on course events."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

import redis

log = logging.getLogger(__name__)

# KEYS[1] generation counter; ARGV[1] "{namespace}:", ARGV[2] page key.
# Returns {hash key of the current generation, page or nil}.
_READ = """
local pages = ARGV[1] .. (redis.call('GET', KEYS[1]) or '0')
return {pages, redis.call('HGET', pages, ARGV[2])}
"""
# KEYS[1] a generation's hash; ARGV[1] page key, ARGV[2] page, ARGV[3] TTL in ms.
# The expiry is set only when the hash has none (EXPIRE NX, which Redis < 7 lacks), so no page
# outlives the TTL however often other pages of its generation are written.
_WRITE = """
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
"""


class ListingCache:
    """Pages live in `{namespace}:{generation}` hashes; `invalidate` moves to a new generation,
    so a page rendered before an invalidation is written where no later read looks.

    The client must not decode responses (pages are bytes). ttl_seconds <= 0 turns it off."""

    def __init__(
        self, client: redis.Redis, ttl_seconds: float, namespace: str = "catalog:listing"
    ) -> None:
        self._redis = client
        self._ttl_ms = math.ceil(ttl_seconds * 1000) if ttl_seconds > 0 else 0
        self._generation_key = f"{namespace}:generation"
        self._prefix = f"{namespace}:"
        self._read = client.register_script(_READ)
        self._write = client.register_script(_WRITE)

    def get(self, page_key: str, render: Callable[[], bytes]) -> bytes:
        """The cached page, else `render()` stored for the generation read before rendering.
        Redis trouble only costs the cache: the page is rendered and served regardless."""
        if not self._ttl_ms:
            return render()
        try:
            pages, cached = self._read(keys=[self._generation_key], args=[self._prefix, page_key])
        except redis.RedisError as exc:
            log.warning("listing cache skipped: redis unavailable", extra={"error": str(exc)})
            return render()
        if cached is not None:
            return bytes(cached)
        page = render()
        try:
            self._write(keys=[pages], args=[page_key, page, self._ttl_ms])
        except redis.RedisError as exc:
            log.warning("listing page not cached: redis unavailable", extra={"error": str(exc)})
        return page

    def invalidate(self) -> None:
        """Start a new generation; earlier pages are never read again and expire with their TTL.
        Redis errors propagate, so the event handler calling this is retried."""
        if self._ttl_ms:
            self._redis.incr(self._generation_key)
