"""No anonymous amplification, as attacks through the gateway: listings stay bounded, a flood of
made-up listing parameters grows neither the broker's Redis nor the cache, and polling an order
does not make billing ask Cashfree more than once per reconcile window."""

from __future__ import annotations

import base64
import json
import random
import string
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import redis
import requests

from tests.helpers import Api, User, eventually

LISTING_KEYS = "catalog:listing:*"


def error_of(response: requests.Response) -> dict[str, Any]:
    assert response.status_code == 400, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == "validation_error"
    return error


@pytest.fixture(scope="module")
def broker(stack_env: dict[str, str]) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(stack_env["REDIS_URL"])
    yield client
    client.close()


@pytest.fixture(scope="module")
def cache(stack_env: dict[str, str]) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(stack_env["CACHE_REDIS_URL"], decode_responses=True)
    yield client
    client.close()


def cached_fields(cache: redis.Redis) -> int:
    """Pages and handed-out cursors in every generation the cache still holds."""
    hashes = [k for k in cache.scan_iter(match=LISTING_KEYS) if cache.type(k) == "hash"]
    return sum(int(cache.hlen(h)) for h in hashes)


def test_the_cache_is_a_bounded_instance_apart_from_the_broker(
    broker: redis.Redis, cache: redis.Redis
) -> None:
    assert broker.info("server")["run_id"] != cache.info("server")["run_id"]
    assert broker.config_get("maxmemory-policy")["maxmemory-policy"] == "noeviction"
    assert cache.config_get("maxmemory-policy")["maxmemory-policy"] == "allkeys-lru"
    assert cache.config_get("maxmemory")["maxmemory"] == str(64 * 1024 * 1024)


def test_searches_with_too_many_or_too_long_words_are_400(api: Api) -> None:
    nine = "alpha beta gamma delta epsilon zeta eta theta iota"
    assert "q" in error_of(api.call("GET", "/courses", params={"q": nine}))["details"]
    long_word = "python " + "x" * 41
    assert "q" in error_of(api.call("GET", "/courses", params={"q": long_word}))["details"]
    assert "q" in error_of(api.call("GET", "/courses", params={"q": "ab " * 34}))["details"]
    eight = " ".join(nine.split()[:8])
    assert api.call("GET", "/courses", params={"q": eight}).status_code == 200
    stopwords = "the of and a to in is it " * 3
    assert api.call("GET", "/courses", params={"q": stopwords.strip()}).status_code == 200


@pytest.mark.parametrize("length", [61, 2000, 3900])
def test_an_oversized_category_is_400_not_500(api: Api, length: int) -> None:
    response = api.call("GET", "/courses", params={"category": "c" * length})
    assert "category" in error_of(response)["details"]


def test_a_request_line_beyond_the_servers_limit_is_414_before_any_app_runs(api: Api) -> None:
    """gunicorn's default limit (4094 bytes): a 5,000-character category never reaches a key."""
    response = api.call("GET", "/courses", params={"category": "c" * 5000})
    assert response.status_code == 414


def test_a_category_with_control_characters_is_400(api: Api) -> None:
    response = api.call("GET", "/courses", params={"category": "Design\x00\n"})
    assert "category" in error_of(response)["details"]


def forged_cursor(rng: random.Random, search_word: str | None = None) -> str:
    """A start key of the right shape, at a made-up place: in the listing of every category, or
    in the search index partition of `search_word`."""
    course_id = uuid.UUID(int=rng.getrandbits(128)).hex
    place = f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T00:00:00.000Z#{course_id}"
    key = (
        {"PK": f"WORD#{search_word}", "SK": place}
        if search_word
        else {"PK": f"COURSE#{course_id}", "SK": "COURSE", "GSI2PK": "PUBLISHED", "GSI2SK": place}
    )
    raw = json.dumps(key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def word(rng: random.Random) -> str:
    return "".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 12)))


def flood_params(rng: random.Random, known: str) -> dict[str, Any]:
    """One request of an anonymous flood: made-up searches, categories, cursors and page sizes,
    and the one real search asked in many spellings."""
    params: dict[str, Any] = {}
    kind = rng.randrange(6)
    if kind == 0:
        params["q"] = " ".join(word(rng) for _ in range(rng.randint(1, 10)))
    elif kind == 1:
        params["category"] = "".join(rng.choices(string.printable, k=rng.randint(1, 80)))
    elif kind == 2:
        params["cursor"] = forged_cursor(rng)
    elif kind == 3:
        params["cursor"] = "".join(rng.choices(string.ascii_letters + "-_", k=rng.randint(4, 60)))
    elif kind == 4:
        spelling = [known.upper(), "python", "Pythons", "the", known]
        rng.shuffle(spelling)
        params["q"] = "  ".join(spelling)
    if rng.random() < 0.7:
        params["limit"] = rng.choice([rng.randint(1, 100), 20, 100, 0, 101, "x"])
    return params


def test_a_listing_flood_leaves_the_broker_flat_and_the_cache_bounded(
    api: Api, broker: redis.Redis, cache: redis.Redis
) -> None:
    teacher = api.onboard("teacher")
    known = f"zq{uuid.uuid4().hex[:10]}"
    course = api.published_course(teacher, title=f"Flood {known} in Python")
    eventually(lambda: api.listed(q=known) == [course["courseId"]])
    api.listed()  # the first page of every category, now cached
    fields_before = cached_fields(cache)
    keys_before, memory_before = broker.dbsize(), broker.info("memory")["used_memory"]

    rng = random.Random(15)
    requests_sent = [flood_params(rng, known) for _ in range(300)]
    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(lambda p: api.call("GET", "/courses", params=p), requests_sent))

    codes = {response.status_code for response in statuses}
    assert codes <= {200, 400}, [r.text[:200] for r in statuses if r.status_code not in (200, 400)]
    assert not list(broker.scan_iter(match=LISTING_KEYS)), "no page ever lands in the broker"
    assert broker.dbsize() - keys_before <= 5
    assert broker.info("memory")["used_memory"] - memory_before < 4 * 1024 * 1024
    grown = cached_fields(cache) - fields_before
    assert grown <= 8, f"{grown} new cache fields: at most the known search at two page sizes"


def test_the_pages_of_a_browse_are_cached_and_a_forged_cursor_is_not(
    api: Api, cache: redis.Redis
) -> None:
    teacher = api.onboard("teacher")
    known = f"zq{uuid.uuid4().hex[:10]}"
    ids = [
        api.published_course(teacher, title=f"Paged {known} course {n}")["courseId"]
        for n in range(3)
    ]
    eventually(lambda: len(api.listed(q=known)) == 3)
    generation = cache.get("catalog:listing:generation")
    pages = f"catalog:listing:{generation!s}"

    def page(cursor: str | None = None) -> requests.Response:
        params = {"q": known, "limit": 20, **({"cursor": cursor} if cursor else {})}
        response = api.call("GET", "/courses", params=params)
        assert response.status_code == 200, response.text
        return response

    def stored() -> set[str]:
        return {str(field) for field in cache.hkeys(pages) if known in str(field)}

    first = page()
    assert [c["courseId"] for c in first.json()["data"]] == ids[::-1]
    assert page().content == first.content
    cached = stored()
    if cache.get("catalog:listing:generation") == generation:  # no course event came between
        assert any("],20]" in field for field in cached)
    rng = random.Random(3)
    for _ in range(5):
        page(forged_cursor(rng, known))
    assert stored() <= cached, "a page reached through a made-up cursor is never stored"


def pending_order(api: Api) -> tuple[User, str, float]:
    """A student's Cashfree order nobody pays; the moment it was created (monotonic)."""
    teacher, student = api.onboard("teacher"), api.onboard("student")
    course = api.published_course(teacher, price=29900)
    created = time.monotonic()
    order = api.create_order(student, course["courseId"])
    return student, str(order["order_id"]), created


def test_polling_a_pending_order_asks_cashfree_at_most_once_per_window(
    api: Api, stack_env: dict[str, str]
) -> None:
    window = float(stack_env["RECONCILE_AFTER_SECONDS"])
    student, order_id, created = pending_order(api)
    time.sleep(max(0.0, created + window + 0.3 - time.monotonic()))  # due for reconciliation

    with ThreadPoolExecutor(10) as pool:
        polled = list(pool.map(lambda _: api.order_status(student, order_id), range(20)))

    def asks() -> int:
        log = requests.get(f"{api.standins}/pg/sim/orders/{order_id}/requests", timeout=10)
        return sum(r["path"].endswith("/payments") for r in log.json())

    assert set(polled) == {"PENDING"}
    assert eventually(asks) >= 1, "a due order is still reconciled"
    elapsed = time.monotonic() - created
    assert asks() <= elapsed // window + 1, f"{asks()} asks in {elapsed:.1f} s"
