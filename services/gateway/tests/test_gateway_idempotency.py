"""Idempotency-Key: one execution per key, replays, reuse and in-flight conflicts, Redis down."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from flask import Response, jsonify
from flask.testing import FlaskClient
from gateway_fakes import FakeClerk, FakeUpstream, MakeApp
from werkzeug.test import TestResponse

Bearer = Callable[..., dict[str, str]]
ORDER = "/api/payments/create-order"


def _counting(upstream: FakeUpstream, status: int = 200) -> None:
    def respond() -> Response:
        response = jsonify({"message": "created", "data": {"n": len(upstream.seen)}})
        response.status_code = status
        return response

    upstream.respond = respond


def _order(client: FlaskClient, auth: dict[str, str], key: str, course: str = "c1") -> TestResponse:
    return client.post(ORDER, headers={**auth, "Idempotency-Key": key}, json={"courseId": course})


def test_a_retry_replays_the_first_answer_without_calling_upstream_again(
    client: FlaskClient, upstreams: dict[str, FakeUpstream], bearer: Bearer
) -> None:
    _counting(upstreams["billing"], status=201)
    auth = bearer("u1", "student")
    first = _order(client, auth, "key-1")
    again = _order(client, auth, "key-1")
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() == {"message": "created", "data": {"n": 1}}
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Content-Type"] == "application/json"
    assert again.headers["X-Request-Id"] != first.headers["X-Request-Id"]
    assert len(upstreams["billing"].seen) == 1


def test_the_same_key_with_another_body_is_409(
    client: FlaskClient, upstreams: dict[str, FakeUpstream], bearer: Bearer
) -> None:
    auth = bearer("u1", "student")
    assert _order(client, auth, "key-1").status_code == 200
    response = _order(client, auth, "key-1", course="c2")
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "idempotency_key_reused"
    assert len(upstreams["billing"].seen) == 1


def test_a_concurrent_request_with_the_same_key_is_409_in_progress(
    make_client: MakeApp, upstreams: dict[str, FakeUpstream], bearer: Bearer
) -> None:
    entered, release = threading.Event(), threading.Event()

    def held() -> Response:
        entered.set()
        release.wait(5)
        return jsonify({"message": "created", "data": None})

    upstreams["billing"].respond = held
    auth = bearer("u1", "student")
    results: list[int] = []
    worker = threading.Thread(
        target=lambda: results.append(_order(make_client(), auth, "key-1").status_code)
    )
    worker.start()
    assert entered.wait(5)
    second = _order(make_client(), auth, "key-1")
    release.set()
    worker.join(5)
    assert second.status_code == 409
    assert second.get_json()["error"]["code"] == "idempotency_in_progress"
    assert results == [200]
    assert _order(make_client(), auth, "key-1").headers["Idempotent-Replayed"] == "true"


def test_a_5xx_is_not_remembered_so_a_retry_runs_again(
    client: FlaskClient, upstreams: dict[str, FakeUpstream], bearer: Bearer
) -> None:
    upstreams["billing"].respond = lambda: Response("<h1>boom</h1>", status=500)
    auth = bearer("u1", "student")
    assert _order(client, auth, "key-1").status_code == 502
    _counting(upstreams["billing"])
    retried = _order(client, auth, "key-1")
    assert retried.status_code == 200
    assert "Idempotent-Replayed" not in retried.headers
    assert len(upstreams["billing"].seen) == 2


def test_a_4xx_is_remembered(
    client: FlaskClient, upstreams: dict[str, FakeUpstream], bearer: Bearer
) -> None:
    upstreams["billing"].respond = lambda: Response(
        b'{"message":"Already enrolled.","error":{"code":"already_enrolled","details":null}}',
        status=409,
        content_type="application/json",
    )
    auth = bearer("u1", "student")
    assert _order(client, auth, "key-1").status_code == 409
    replay = _order(client, auth, "key-1")
    assert replay.status_code == 409
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert len(upstreams["billing"].seen) == 1


def test_keys_are_scoped_by_caller(
    client: FlaskClient, upstreams: dict[str, FakeUpstream], bearer: Bearer
) -> None:
    assert _order(client, bearer("u1", "student"), "shared-key").status_code == 200
    other = _order(client, bearer("u2", "student"), "shared-key", course="c2")
    assert other.status_code == 200
    assert "Idempotent-Replayed" not in other.headers
    assert len(upstreams["billing"].seen) == 2


def test_gateway_served_routes_are_idempotent_too(
    client: FlaskClient, clerk: FakeClerk, bearer: Bearer
) -> None:
    clerk.add("u1")
    headers = {**bearer("u1"), "Idempotency-Key": "onboard-1"}
    first = client.post("/users/onboarding", headers=headers, json={"userType": "student"})
    again = client.post("/users/onboarding", headers=headers, json={"userType": "student"})
    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"


@pytest.mark.parametrize("key", ["", "x" * 256, "bad\tkey", "caf\u00e9"])
def test_a_malformed_key_is_400(
    client: FlaskClient, upstreams: dict[str, FakeUpstream], bearer: Bearer, key: str
) -> None:
    response = client.post(
        ORDER,
        headers={
            **bearer("u1", "student"),
            "Idempotency-Key": key.encode("utf-8").decode("latin-1"),
        },
        json={},
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_idempotency_key"
    assert upstreams["billing"].seen == []


def test_safe_methods_ignore_the_key(
    client: FlaskClient, upstreams: dict[str, FakeUpstream]
) -> None:
    for _ in range(2):
        response = client.get("/courses", headers={"Idempotency-Key": "k"})
        assert "Idempotent-Replayed" not in response.headers
    assert len(upstreams["catalog"].seen) == 2


def test_redis_down_is_503_only_for_requests_asking_for_idempotency(
    make_client: MakeApp, upstreams: dict[str, FakeUpstream], bearer: Bearer
) -> None:
    client = make_client(REDIS_URL="redis://127.0.0.1:1/9")
    auth = bearer("u1", "student")
    response = _order(client, auth, "key-1")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "idempotency_unavailable"
    assert upstreams["billing"].seen == []
    assert client.post(ORDER, headers=auth, json={}).status_code == 200
