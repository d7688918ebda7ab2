"""The Redis listing cache: hits, invalidation by generation, TTL, off when ttl<=0, Redis down."""

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

from catalog.adapters.listing_cache import ListingCache


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


def counting(*pages: bytes) -> tuple[Callable[[], bytes], list[bytes]]:
    """A render that returns `pages` in turn and records each call."""
    rendered: list[bytes] = []
    queue = iter(pages)

    def render() -> bytes:
        rendered.append(next(queue))
        return rendered[-1]

    return render, rendered


def test_a_page_is_rendered_once_then_served_from_redis(
    live_redis: redis.Redis, namespace: str
) -> None:
    cache = ListingCache(live_redis, ttl_seconds=30, namespace=namespace)
    render, rendered = counting(b"page-1", b"page-2", b"other")
    assert cache.get("cat=all&limit=20", render) == b"page-1"
    assert cache.get("cat=all&limit=20", render) == b"page-1"
    assert cache.get("cat=Programming&limit=20", render) == b"page-2"
    assert rendered == [b"page-1", b"page-2"]


def test_invalidate_makes_the_next_get_render_again(
    live_redis: redis.Redis, namespace: str
) -> None:
    cache = ListingCache(live_redis, ttl_seconds=30, namespace=namespace)
    render, rendered = counting(b"before", b"after")
    cache.get("k", render)
    cache.invalidate()
    assert cache.get("k", render) == b"after"
    assert cache.get("k", render) == b"after"
    assert rendered == [b"before", b"after"]


def test_a_render_that_straddles_an_invalidation_is_never_served(
    live_redis: redis.Redis, namespace: str
) -> None:
    cache = ListingCache(live_redis, ttl_seconds=30, namespace=namespace)

    def stale_render() -> bytes:
        cache.invalidate()  # a course event lands while the page is being rendered
        return b"stale"

    assert cache.get("k", stale_render) == b"stale"
    assert cache.get("k", lambda: b"fresh") == b"fresh"
    assert cache.get("k", lambda: b"unused") == b"fresh"


def test_pages_expire_after_the_ttl_and_later_writes_do_not_extend_it(
    live_redis: redis.Redis, namespace: str
) -> None:
    cache = ListingCache(live_redis, ttl_seconds=1, namespace=namespace)
    cache.get("first", lambda: b"v1")
    time.sleep(0.6)
    cache.get("second", lambda: b"v1")
    assert cache.get("first", lambda: b"v2") == b"v1"
    time.sleep(0.5)
    assert cache.get("first", lambda: b"v2") == b"v2"
    assert 0 < live_redis.pttl(f"{namespace}:0") <= 1000


def test_a_disabled_cache_renders_every_time_and_never_calls_redis(
    dead_redis: redis.Redis,
) -> None:
    cache = ListingCache(dead_redis, ttl_seconds=0)
    render, rendered = counting(b"a", b"b")
    assert cache.get("k", render) == b"a"
    assert cache.get("k", render) == b"b"
    cache.invalidate()
    assert rendered == [b"a", b"b"]


def test_redis_down_on_get_serves_the_rendered_page(
    dead_redis: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    cache = ListingCache(dead_redis, ttl_seconds=30)
    with caplog.at_level(logging.WARNING, logger="catalog.adapters.listing_cache"):
        assert cache.get("k", lambda: b"page") == b"page"
    assert "redis unavailable" in caplog.text


def test_redis_down_on_invalidate_raises_so_the_event_is_retried(
    dead_redis: redis.Redis,
) -> None:
    cache = ListingCache(dead_redis, ttl_seconds=30)
    with pytest.raises(redis.ConnectionError):
        cache.invalidate()
