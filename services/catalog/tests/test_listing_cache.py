"""The Redis listing cache: hits, invalidation by generation, TTL, which pages may be stored, off
without a client or with ttl<=0, Redis down."""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from catalog.adapters.listing_cache import ListingCache, RenderedPage


@pytest.fixture
def live_redis() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    yield client
    client.close()


@pytest.fixture
def namespace(live_redis: redis.Redis) -> Iterator[str]:
    name = f"test:listing:{uuid.uuid4().hex}"
    yield name
    keys = list(live_redis.scan_iter(match=f"{name}:*"))
    if keys:
        live_redis.delete(*keys)


@pytest.fixture
def dead_redis() -> redis.Redis:
    """A client for a port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return redis.Redis(port=port, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0))


def counting(*pages: RenderedPage) -> tuple[Callable[[], RenderedPage], list[RenderedPage]]:
    """A render that returns `pages` in turn and records each call."""
    rendered: list[RenderedPage] = []
    queue = iter(pages)

    def render() -> RenderedPage:
        rendered.append(next(queue))
        return rendered[-1]

    return render, rendered


def page(body: bytes, next_cursor: str | None = None, shareable: bool = True) -> RenderedPage:
    return RenderedPage(body, next_cursor, shareable)


def fields(client: redis.Redis, namespace: str) -> int:
    """Everything the cache holds in `namespace`: pages and handed-out cursors."""
    hashes = [k for k in client.scan_iter(match=f"{namespace}:*") if not k.endswith(b"generation")]
    return sum(int(client.hlen(h)) for h in hashes)


def test_a_page_is_rendered_once_then_served_from_redis(
    live_redis: redis.Redis, namespace: str
) -> None:
    cache = ListingCache(live_redis, ttl_seconds=30, namespace=namespace)
    render, rendered = counting(page(b"page-1", "c2"), page(b"page-2"), page(b"other"))
    assert cache.page("all", None, render) == page(b"page-1", "c2")
    assert cache.page("all", None, render) == page(b"page-1", "c2")
    assert cache.page("programming", None, render) == page(b"page-2")
    assert rendered == [page(b"page-1", "c2"), page(b"page-2")]


def test_invalidate_makes_the_next_get_render_again(
    live_redis: redis.Redis, namespace: str
) -> None:
    cache = ListingCache(live_redis, ttl_seconds=30, namespace=namespace)
    render, rendered = counting(page(b"before"), page(b"after"))
    cache.page("k", None, render)
    cache.invalidate()
    assert cache.page("k", None, render).body == b"after"
    assert cache.page("k", None, render).body == b"after"
    assert [p.body for p in rendered] == [b"before", b"after"]


def test_a_render_that_straddles_an_invalidation_is_never_served(
    live_redis: redis.Redis, namespace: str
) -> None:
    cache = ListingCache(live_redis, ttl_seconds=30, namespace=namespace)

    def stale_render() -> RenderedPage:
        cache.invalidate()  # a course event lands while the page is being rendered
        return page(b"stale")

    assert cache.page("k", None, stale_render).body == b"stale"
    assert cache.page("k", None, lambda: page(b"fresh")).body == b"fresh"
    assert cache.page("k", None, lambda: page(b"unused")).body == b"fresh"


def test_an_evicted_generation_starts_a_new_one_instead_of_reviving_old_pages(
    live_redis: redis.Redis, namespace: str
) -> None:
    cache = ListingCache(live_redis, ttl_seconds=30, namespace=namespace)
    cache.page("k", None, lambda: page(b"old"))
    cache.invalidate()
    live_redis.delete(f"{namespace}:generation")  # what allkeys-lru may do under memory pressure
    assert cache.page("k", None, lambda: page(b"new")).body == b"new"


def test_pages_expire_after_the_ttl_and_later_writes_do_not_extend_it(
    live_redis: redis.Redis, namespace: str
) -> None:
    cache = ListingCache(live_redis, ttl_seconds=1, namespace=namespace)
    cache.page("first", None, lambda: page(b"v1"))
    time.sleep(0.6)
    cache.page("second", None, lambda: page(b"v1"))
    assert cache.page("first", None, lambda: page(b"v2")).body == b"v1"
    time.sleep(0.5)
    assert cache.page("first", None, lambda: page(b"v2")).body == b"v2"
    generation = live_redis.get(f"{namespace}:generation")
    assert isinstance(generation, bytes)
    assert 0 < live_redis.pttl(f"{namespace}:{generation.decode()}") <= 1000


def test_a_cursor_page_is_stored_only_when_a_stored_page_handed_out_its_cursor(
    live_redis: redis.Redis, namespace: str
) -> None:
    cache = ListingCache(live_redis, ttl_seconds=30, namespace=namespace)
    forged, rendered = counting(page(b"forged", "c9"), page(b"forged again", "c9"))
    assert cache.page("all", "made-up", forged).body == b"forged"
    assert cache.page("all", "made-up", forged).body == b"forged again"
    assert cache.page("all", "c9", lambda: page(b"after forged")).body == b"after forged"
    assert fields(live_redis, namespace) == 0, "nothing reached from a made-up cursor is kept"

    cache.page("all", None, lambda: page(b"first", "c2"))
    cache.page("all", "c2", lambda: page(b"second", "c3"))
    assert cache.page("all", "c2", lambda: page(b"unused")).body == b"second"
    assert cache.page("all", "c3", lambda: page(b"third")).body == b"third"
    assert cache.page("all", "c3", lambda: page(b"unused")).body == b"third"
    assert cache.page("programming", "c2", lambda: page(b"other list")).body == b"other list"
    assert cache.page("programming", "c2", lambda: page(b"again")).body == b"again"
    assert len(rendered) == 2


def test_pages_not_worth_sharing_and_unshared_listings_are_never_stored(
    live_redis: redis.Redis, namespace: str
) -> None:
    cache = ListingCache(live_redis, ttl_seconds=30, namespace=namespace)
    render, rendered = counting(
        page(b"empty", shareable=False), page(b"empty", shareable=False), page(b"a"), page(b"b")
    )
    cache.page("nothing-found", None, render)
    cache.page("nothing-found", None, render)
    cache.page(None, None, render)
    cache.page(None, None, render)
    assert len(rendered) == 4
    assert fields(live_redis, namespace) == 0


def test_only_a_page_the_cache_holds_is_marked_public(
    live_redis: redis.Redis, namespace: str, dead_redis: redis.Redis
) -> None:
    """`public` tells the web layer that any cache (the gateway's) may keep the page too."""
    cache = ListingCache(live_redis, ttl_seconds=30, namespace=namespace)
    assert cache.page("all", None, lambda: page(b"first", "c2")).public, "stored"
    assert cache.page("all", None, lambda: page(b"unused")).public, "served from Redis"
    assert cache.page("all", "c2", lambda: page(b"second")).public, "a cursor it handed out"
    assert not cache.page("all", "made-up", lambda: page(b"forged")).public
    assert not cache.page("none", None, lambda: page(b"[]", shareable=False)).public
    assert not cache.page(None, None, lambda: page(b"unshared")).public
    assert not ListingCache(live_redis, ttl_seconds=0).page("all", None, lambda: page(b"a")).public
    assert not ListingCache(dead_redis, ttl_seconds=30).page("all", None, lambda: page(b"a")).public


def test_a_page_is_held_in_the_process_for_a_moment(
    live_redis: redis.Redis, namespace: str
) -> None:
    cache = ListingCache(live_redis, ttl_seconds=30, namespace=namespace, local_seconds=0.2)
    render, rendered = counting(page(b"first"), page(b"second"))
    assert cache.page("all", None, render).body == b"first"
    for key in live_redis.scan_iter(match=f"{namespace}:*"):
        live_redis.delete(key)  # Redis forgot it: only the process's hold can answer
    held = cache.page("all", None, render)
    assert held.body == b"first"
    assert held.public
    time.sleep(0.3)
    assert cache.page("all", None, render).body == b"second"
    assert len(rendered) == 2


@pytest.fixture
def holding(live_redis: redis.Redis, namespace: str) -> ListingCache:
    """A cache whose process hold outlives the test."""
    return ListingCache(live_redis, ttl_seconds=30, namespace=namespace, local_seconds=30)


def test_an_invalidation_in_this_process_drops_what_it_holds(holding: ListingCache) -> None:
    cache = holding
    render, rendered = counting(page(b"before"), page(b"after"), page(b"again"))
    cache.page("all", None, render)
    cache.invalidate()
    assert cache.page("all", None, render).body == b"after"
    assert cache.page("all", None, render).body == b"after"
    assert len(rendered) == 2


def test_a_page_read_across_an_invalidation_is_not_held(holding: ListingCache) -> None:
    cache = holding

    def render_then_invalidate() -> RenderedPage:
        cache.invalidate()  # a course event arrives while this page renders
        return page(b"stale")

    assert cache.page("all", None, render_then_invalidate).body == b"stale"
    assert cache.page("all", None, lambda: page(b"fresh")).body == b"fresh"


def test_a_cache_without_a_client_or_ttl_renders_every_time(dead_redis: redis.Redis) -> None:
    for cache in (ListingCache(dead_redis, ttl_seconds=0), ListingCache(None, ttl_seconds=30)):
        render, rendered = counting(page(b"a"), page(b"b"))
        assert cache.page("k", None, render).body == b"a"
        assert cache.page("k", None, render).body == b"b"
        cache.invalidate()
        assert len(rendered) == 2


def test_redis_down_on_get_serves_the_rendered_page(
    dead_redis: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    cache = ListingCache(dead_redis, ttl_seconds=30)
    with caplog.at_level(logging.WARNING, logger="catalog.adapters.listing_cache"):
        assert cache.page("k", None, lambda: page(b"page")).body == b"page"
    assert "redis unavailable" in caplog.text


def test_redis_down_on_invalidate_raises_so_the_event_is_retried(
    dead_redis: redis.Redis,
) -> None:
    cache = ListingCache(dead_redis, ttl_seconds=30)
    with pytest.raises(redis.ConnectionError):
        cache.invalidate()
