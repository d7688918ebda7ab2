"""Rendered public catalog listing pages, cached in a disposable Redis, dropped on course events."""

from __future__ import annotations

import json
import logging
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import redis

from shared.hold import BriefHold

log = logging.getLogger(__name__)

LOCAL_SECONDS = 0.1
LOCAL_PAGES = 64

# KEYS[1] the generation; ARGV[1] "{namespace}:", ARGV[2] page field, ARGV[3] a fresh generation,
# taken when none is set (never set yet, or evicted: a new one, so no earlier page comes back).
# Returns {hash key of the current generation, page or nil}.
_READ = """
local generation = redis.call('GET', KEYS[1])
if not generation then
  generation = ARGV[3]
  redis.call('SET', KEYS[1], generation)
end
local pages = ARGV[1] .. generation
return {pages, redis.call('HGET', pages, ARGV[2])}
"""
# KEYS[1] a generation's hash; ARGV[1] page field, ARGV[2] page, ARGV[3] TTL in ms, ARGV[4] the
# field that must exist for the page to be stored ('' = none), ARGV[5] a field to mark ('' = none).
# The expiry is set only when the hash has none (EXPIRE NX, which Redis < 7 lacks), so no page
# outlives the TTL however often other pages of its generation are written.
_WRITE = """
if ARGV[4] ~= '' and redis.call('HEXISTS', KEYS[1], ARGV[4]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], ARGV[5], '') end
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return 1
"""


@dataclass(frozen=True)
class RenderedPage:
    """A listing page as served: its JSON body and the cursor of the page after it."""

    body: bytes
    next_cursor: str | None = None
    shareable: bool = True
    """False for a page not worth keeping (nothing found): served, never stored."""
    public: bool = field(default=False, compare=False)
    """How it was served, not what it is: the cache holds this page, so it is one a plain
    browse reaches and any cache may keep it (the gateway holds it for a moment)."""


class ListingCache:
    """Pages live in `{namespace}:{generation}` hashes; `invalidate` moves to a new generation,
    so a page rendered before an invalidation is written where no later read looks.

    Only pages a plain browse reaches are stored: a listing's first page, then the page of each
    cursor a stored page handed out in the same generation. A cursor from anywhere else is served
    uncached, so made-up parameters cannot grow the cache. The client must not decode responses
    (pages are bytes). No client, or ttl_seconds <= 0, turns the cache off.

    In front of Redis, each process holds the pages it served for `local_seconds` (a tenth of a
    second): a popular page then costs no Redis round trip, and a new generation shows here at
    most that much later. A page read before this process's own invalidation is never held."""

    def __init__(
        self,
        client: redis.Redis | None,
        ttl_seconds: float,
        namespace: str = "catalog:listing",
        local_seconds: float = LOCAL_SECONDS,
    ) -> None:
        self._local: BriefHold[str, RenderedPage] = BriefHold(local_seconds, LOCAL_PAGES)
        self._epoch = 0
        self._redis = client
        on = client is not None and ttl_seconds > 0
        self._ttl_ms = math.ceil(ttl_seconds * 1000) if on else 0
        self._generation_key = f"{namespace}:generation"
        self._prefix = f"{namespace}:"
        if client is not None:
            self._read = client.register_script(_READ)
            self._write = client.register_script(_WRITE)

    def page(
        self, listing: str | None, cursor: str | None, render: Callable[[], RenderedPage]
    ) -> RenderedPage:
        """The cached page of `listing` (None: never cached) at `cursor`, else `render()`,
        stored for the generation read before rendering when it may be. Redis trouble only costs
        the cache: the page is rendered and served regardless."""
        if not self._ttl_ms or listing is None:
            return render()
        page_field = _field(listing, cursor)
        held = self._local.get(page_field)
        if held is not None:
            return held
        epoch = self._epoch
        page = self._shared_page(listing, cursor, page_field, render)
        if page.public and epoch == self._epoch and self._local.seconds > 0:
            self._local.put(page_field, page)
        return page

    def _shared_page(
        self,
        listing: str,
        cursor: str | None,
        page_field: str,
        render: Callable[[], RenderedPage],
    ) -> RenderedPage:
        try:
            pages, cached = self._read(
                keys=[self._generation_key], args=[self._prefix, page_field, uuid.uuid4().hex]
            )
        except redis.RedisError as exc:
            log.warning("listing cache skipped: redis unavailable", extra={"error": str(exc)})
            return render()
        if cached is not None:
            return _decode(bytes(cached))
        page = render()
        if page.shareable:
            required = _issued(listing, cursor) if cursor else ""
            handed_out = _issued(listing, page.next_cursor) if page.next_cursor else ""
            try:
                stored = self._write(
                    keys=[pages],
                    args=[page_field, _encode(page), self._ttl_ms, required, handed_out],
                )
            except redis.RedisError as exc:
                log.warning("listing page not cached: redis unavailable", extra={"error": str(exc)})
            else:
                return replace(page, public=bool(stored))
        return page

    def invalidate(self) -> None:
        """Start a new generation; earlier pages are never read again and expire with their TTL.
        Redis errors propagate, so the event handler calling this is retried."""
        self._epoch += 1
        self._local.clear()
        if self._ttl_ms and self._redis is not None:
            self._redis.set(self._generation_key, uuid.uuid4().hex)


def _field(listing: str, cursor: str | None) -> str:
    return json.dumps(["page", listing, cursor or ""], separators=(",", ":"))


def _issued(listing: str, cursor: str) -> str:
    """The mark that a stored page of `listing` handed out `cursor`."""
    return json.dumps(["cursor", listing, cursor], separators=(",", ":"))


def _encode(page: RenderedPage) -> bytes:
    return (page.next_cursor or "").encode() + b"\n" + page.body


def _decode(stored: bytes) -> RenderedPage:
    cursor, _, body = stored.partition(b"\n")
    return RenderedPage(body, cursor.decode() or None, public=True)
