"""The edge cache: anonymous GETs of /courses that the catalog marked public, held a moment."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

import pytest
from flask import Response
from flask.testing import FlaskClient
from gateway_fakes import FakeUpstream, MakeApp

from gateway import edge_cache

Bearer = Callable[..., dict[str, str]]


def numbered(
    cache_control: str | None = "public, no-cache", status: int = 200
) -> Callable[[], Response]:
    """Answers that differ every time, so a held one is told from a forwarded one."""
    counter = itertools.count(1)

    def respond() -> Response:
        headers = {"X-Next-Cursor": "c1"}
        if cache_control is not None:
            headers["Cache-Control"] = cache_control
        return Response(f'{{"n": {next(counter)}}}', status, headers, mimetype="application/json")

    return respond


@pytest.fixture
def catalog(upstreams: dict[str, FakeUpstream]) -> FakeUpstream:
    fake = upstreams["catalog"]
    fake.respond = numbered()
    return fake


def test_a_public_answer_to_an_anonymous_listing_is_held(
    client: FlaskClient, catalog: FakeUpstream
) -> None:
    first = client.get("/courses?limit=20")
    second = client.get("/courses?limit=20")
    assert len(catalog.seen) == 1
    assert second.get_json() == first.get_json() == {"n": 1}
    assert second.headers["X-Next-Cursor"] == "c1"
    assert second.headers["Content-Type"] == "application/json"
    assert second.headers["X-Content-Type-Options"] == "nosniff", "edge headers still added"
    assert second.headers["X-Request-Id"] != first.headers["X-Request-Id"]


def test_each_query_is_held_apart(client: FlaskClient, catalog: FakeUpstream) -> None:
    assert client.get("/courses?limit=20").get_json() == {"n": 1}
    assert client.get("/courses?limit=100").get_json() == {"n": 2}
    assert client.get("/courses?limit=20").get_json() == {"n": 1}
    assert len(catalog.seen) == 2


@pytest.mark.parametrize(
    ("cache_control", "status"),
    [(None, 200), ("private", 200), ("no-store", 200), ("public", 404)],
)
def test_only_a_public_200_is_held(
    client: FlaskClient, catalog: FakeUpstream, cache_control: str | None, status: int
) -> None:
    catalog.respond = numbered(cache_control, status)
    client.get("/courses")
    assert client.get("/courses").get_json() == {"n": 2}


def test_a_signed_in_caller_is_always_forwarded(
    client: FlaskClient, catalog: FakeUpstream, bearer: Bearer
) -> None:
    client.get("/courses")
    signed_in = client.get("/courses", headers=bearer("u1", "student"))
    assert signed_in.get_json() == {"n": 2}
    assert signed_in.headers["Cache-Control"] == "no-store"
    assert catalog.last.headers["Authorization"].startswith("Bearer ")


def test_a_client_asking_for_a_fresh_answer_gets_one_and_refreshes_the_copy(
    client: FlaskClient, catalog: FakeUpstream
) -> None:
    client.get("/courses")
    assert client.get("/courses", headers={"Cache-Control": "no-cache"}).get_json() == {"n": 2}
    assert client.get("/courses").get_json() == {"n": 2}


def test_a_held_answer_expires(make_client: MakeApp, catalog: FakeUpstream) -> None:
    client = make_client(GATEWAY_EDGE_CACHE_SECONDS="0.05")
    client.get("/courses")
    time.sleep(0.2)
    assert client.get("/courses").get_json() == {"n": 2}


def test_zero_seconds_turns_it_off(make_client: MakeApp, catalog: FakeUpstream) -> None:
    client = make_client(GATEWAY_EDGE_CACHE_SECONDS="0")
    client.get("/courses")
    assert client.get("/courses").get_json() == {"n": 2}


def test_routes_not_declared_for_it_are_never_held(
    client: FlaskClient, catalog: FakeUpstream
) -> None:
    client.get("/courses/c1")
    assert client.get("/courses/c1").get_json() == {"n": 2}


def test_the_least_recently_used_answer_goes_first(
    make_client: MakeApp, catalog: FakeUpstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(edge_cache, "MAX_ENTRIES", 2)
    client = make_client()
    client.get("/courses?page=a")
    client.get("/courses?page=b")
    client.get("/courses?page=a")  # a is now the most recent
    client.get("/courses?page=c")  # b goes
    assert len(catalog.seen) == 3
    assert client.get("/courses?page=a").get_json() == {"n": 1}
    assert client.get("/courses?page=b").get_json() == {"n": 4}


def test_a_large_answer_is_not_held(
    client: FlaskClient, catalog: FakeUpstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(edge_cache, "MAX_BODY_BYTES", 4)
    client.get("/courses")
    assert client.get("/courses").get_json() == {"n": 2}
