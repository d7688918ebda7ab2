"""The contact form: proxied to notifications, behind its own per-IP budget with X-RateLimit-*."""

from __future__ import annotations

import json

import pytest
import redis
from flask import Response, jsonify
from flask.testing import FlaskClient
from gateway_fakes import ORIGIN, FakeUpstream, MakeApp
from werkzeug.test import TestResponse

from gateway.app import create_app
from gateway.routes import ROUTES, Auth, Route
from shared.config import load_settings

CONTACT = "/api/emails/contact"
FORM = {
    "name": "Asha",
    "email": "asha@example.com",
    "subject": "Refunds",
    "message": "How long does a refund take?",
}


def _post(client: FlaskClient, ip: str = "203.0.113.7", **headers: str) -> TestResponse:
    return client.post(CONTACT, json=FORM, headers=headers, environ_base={"REMOTE_ADDR": ip})


def _sent(upstream: FakeUpstream) -> None:
    def respond() -> Response:
        return jsonify({"message": "Email sent successfully!", "data": {"id": len(upstream.seen)}})

    upstream.respond = respond


def test_the_route_is_public_small_and_budgeted() -> None:
    (route,) = [route for route in ROUTES if route.path == CONTACT]
    assert (route.method, route.auth, route.upstream) == ("POST", Auth.PUBLIC, "notifications")
    assert route.ip_budget == "contact"
    assert route.max_body_bytes == 32 * 1024


def test_a_post_is_proxied_to_notifications_with_the_client_address(
    client: FlaskClient, upstreams: dict[str, FakeUpstream]
) -> None:
    notifications = upstreams["notifications"]
    _sent(notifications)
    body = json.dumps(FORM).encode()
    response = client.post(
        CONTACT,
        data=body,
        content_type="application/json",
        environ_base={"REMOTE_ADDR": "203.0.113.7"},
    )
    assert response.status_code == 200
    assert response.get_json() == {"message": "Email sent successfully!", "data": {"id": 1}}
    seen = notifications.last
    assert (seen.method, seen.path, seen.body) == ("POST", CONTACT, body)
    assert seen.headers["X-Forwarded-For"] == "203.0.113.7"
    assert "Authorization" not in seen.headers


def test_n_posts_pass_then_429_with_retry_after_and_the_count_going_down(
    make_client: MakeApp, upstreams: dict[str, FakeUpstream]
) -> None:
    client = make_client(CONTACT_RATE_LIMIT="3")
    answers = [_post(client, Origin=ORIGIN) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert {a.headers["X-RateLimit-Limit"] for a in answers} == {"3"}
    assert all(1 <= int(a.headers["X-RateLimit-Reset"]) <= 3600 for a in answers)
    refused = answers[-1]
    assert refused.get_json()["error"] == {
        "code": "rate_limited",
        "details": {"limit": 3, "windowSeconds": 3600},
    }
    assert refused.headers["Retry-After"] == refused.headers["X-RateLimit-Reset"]
    assert refused.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "X-RateLimit-Remaining" in refused.headers["Access-Control-Expose-Headers"]
    assert len(upstreams["notifications"].seen) == 3


def test_each_client_ip_has_its_own_budget(make_client: MakeApp) -> None:
    client = make_client(CONTACT_RATE_LIMIT="1")
    assert _post(client, ip="198.51.100.1").status_code == 200
    assert _post(client, ip="198.51.100.1").status_code == 429
    assert _post(client, ip="198.51.100.2").status_code == 200


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_one_counted(
    make_client: MakeApp,
) -> None:
    client = make_client(CONTACT_RATE_LIMIT="1", TRUSTED_PROXY_COUNT="1")
    proxy = "10.0.0.2"
    assert _post(client, ip=proxy, **{"X-Forwarded-For": "1.1.1.1"}).status_code == 200
    assert _post(client, ip=proxy, **{"X-Forwarded-For": "2.2.2.2"}).status_code == 200
    assert _post(client, ip=proxy, **{"X-Forwarded-For": "1.1.1.1"}).status_code == 429


def test_the_budget_holds_with_the_general_limits_off_and_leaves_them_alone(
    make_client: MakeApp,
) -> None:
    client = make_client(RATE_LIMIT_ENABLED="false", CONTACT_RATE_LIMIT="1")
    assert _post(client).status_code == 200
    assert _post(client).status_code == 429
    courses = client.get("/courses", environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert courses.status_code == 200
    assert "X-RateLimit-Limit" not in courses.headers


def test_an_idempotent_replay_does_not_spend_the_budget(
    make_client: MakeApp, upstreams: dict[str, FakeUpstream]
) -> None:
    client = make_client(CONTACT_RATE_LIMIT="2")
    first = _post(client, **{"Idempotency-Key": "form-1"})
    replay = _post(client, **{"Idempotency-Key": "form-1"})
    assert first.status_code == replay.status_code == 200
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert _post(client, **{"Idempotency-Key": "form-2"}).headers["X-RateLimit-Remaining"] == "0"
    assert _post(client, **{"Idempotency-Key": "form-3"}).status_code == 429
    assert len(upstreams["notifications"].seen) == 2


def test_a_429_is_not_remembered_so_the_same_key_runs_once_budget_is_back(
    make_client: MakeApp, redis_db: redis.Redis, upstreams: dict[str, FakeUpstream]
) -> None:
    client = make_client(CONTACT_RATE_LIMIT="1")
    assert _post(client).status_code == 200
    assert _post(client, **{"Idempotency-Key": "late"}).status_code == 429
    redis_db.delete(*redis_db.keys("gateway:ratelimit:contact:*"))
    retried = _post(client, **{"Idempotency-Key": "late"})
    assert retried.status_code == 200
    assert "Idempotent-Replayed" not in retried.headers
    assert len(upstreams["notifications"].seen) == 2


def test_requests_refused_at_the_gateway_spend_nothing(make_client: MakeApp) -> None:
    client = make_client(CONTACT_RATE_LIMIT="1")
    too_big = client.post(
        CONTACT,
        json={**FORM, "message": "x" * 40_000},
        environ_base={"REMOTE_ADDR": "203.0.113.7"},
    )
    assert too_big.status_code == 413
    assert too_big.get_json()["error"]["details"] == {
        "message": "the request must be at most 32 KB in all"
    }
    assert _post(client, **{"Idempotency-Key": "bad\tkey"}).status_code == 400
    assert _post(client).status_code == 200


def test_an_invalid_form_answered_by_notifications_spends_one(
    make_client: MakeApp, upstreams: dict[str, FakeUpstream]
) -> None:
    upstreams["notifications"].respond = lambda: Response(
        b'{"message":"Invalid.","error":{"code":"validation_error",'
        b'"details":{"message":"at least 10 characters"}}}',
        status=400,
        content_type="application/json",
    )
    client = make_client(CONTACT_RATE_LIMIT="1")
    invalid = _post(client)
    assert invalid.status_code == 400
    assert invalid.get_json()["error"]["details"] == {"message": "at least 10 characters"}
    assert invalid.headers["X-RateLimit-Remaining"] == "0"
    assert _post(client).status_code == 429


def test_a_zero_budget_turns_it_off(make_client: MakeApp) -> None:
    client = make_client(CONTACT_RATE_LIMIT="0")
    answers = [_post(client) for _ in range(7)]
    assert [a.status_code for a in answers] == [200] * 7
    assert "X-RateLimit-Limit" not in answers[-1].headers


def test_the_contact_budget_fails_open_when_redis_is_down(
    make_client: MakeApp, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_client(CONTACT_RATE_LIMIT="1", REDIS_URL="redis://127.0.0.1:1/9")
    assert [_post(client).status_code for _ in range(3)] == [200, 200, 200]
    assert "rate limit skipped: redis unavailable" in caplog.text


def test_a_route_naming_an_unknown_budget_fails_at_startup(env: dict[str, str]) -> None:
    odd = Route("POST", "/odd", Auth.PUBLIC, "catalog", "odd", ip_budget="nope")
    with pytest.raises(ValueError, match="nope"):
        create_app(load_settings("gateway", env=env), routes=(*ROUTES, odd))
