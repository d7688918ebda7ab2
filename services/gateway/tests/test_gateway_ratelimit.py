"""Rate limits per user or client IP (behind trusted proxies): 429 + Retry-After, fail-open."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import redis
from flask.testing import FlaskClient
from gateway_fakes import ORIGIN, FakeUpstream, MakeApp

Bearer = Callable[..., dict[str, str]]


def test_over_the_limit_is_429_with_retry_after_and_cors(
    make_client: MakeApp, upstreams: dict[str, FakeUpstream]
) -> None:
    client = make_client(RATE_LIMIT_PER_IP="2", RATE_LIMIT_WINDOW_SECONDS="60")
    for _ in range(2):
        assert client.get("/courses", headers={"Origin": ORIGIN}).status_code == 200
    response = client.get("/courses", headers={"Origin": ORIGIN})
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "rate_limited"
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "Retry-After" in response.headers["Access-Control-Expose-Headers"]
    assert response.headers["X-Request-Id"]
    assert len(upstreams["catalog"].seen) == 2


def test_signed_in_callers_are_counted_per_user_not_per_ip(
    make_client: MakeApp, bearer: Bearer
) -> None:
    client = make_client(RATE_LIMIT_PER_IP="1", RATE_LIMIT_PER_USER="3")
    for _ in range(3):
        assert client.get("/courses", headers=bearer("u1", "student")).status_code == 200
    assert client.get("/courses", headers=bearer("u1", "student")).status_code == 429
    assert client.get("/courses", headers=bearer("u2", "student")).status_code == 200
    assert client.get("/courses").status_code == 200
    assert client.get("/courses").status_code == 429


def test_a_bad_token_counts_against_the_ip(make_client: MakeApp, mint: Callable[..., str]) -> None:
    client = make_client(RATE_LIMIT_PER_IP="1")
    expired = {"Authorization": f"Bearer {mint('u1', 'teacher', ttl=-60)}"}
    assert client.get("/courses/teacher", headers=expired).status_code == 401
    assert client.get("/courses/teacher", headers=expired).status_code == 429


@pytest.mark.parametrize(
    ("trusted", "forwarded_for", "same_bucket"),
    [
        ("0", ("1.1.1.1", "2.2.2.2"), True),
        ("1", ("1.1.1.1", "2.2.2.2"), False),
        ("1", ("9.9.9.9, 1.1.1.1", "8.8.8.8, 1.1.1.1"), True),
        ("2", ("9.9.9.9, 1.1.1.1", "8.8.8.8, 1.1.1.1"), False),
    ],
)
def test_the_client_ip_honours_trusted_proxies(
    make_client: MakeApp, trusted: str, forwarded_for: tuple[str, str], same_bucket: bool
) -> None:
    client = make_client(RATE_LIMIT_PER_IP="1", TRUSTED_PROXY_COUNT=trusted)
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    first, second = forwarded_for
    assert (
        client.get("/courses", headers={"X-Forwarded-For": first}, environ_base=proxy).status_code
        == 200
    )
    response = client.get("/courses", headers={"X-Forwarded-For": second}, environ_base=proxy)
    assert response.status_code == (429 if same_bucket else 200)


def test_a_short_forwarded_chain_falls_back_to_the_peer_address(make_client: MakeApp) -> None:
    client = make_client(RATE_LIMIT_PER_IP="1", TRUSTED_PROXY_COUNT="2")
    peer = {"REMOTE_ADDR": "10.0.0.2"}
    assert (
        client.get(
            "/courses", headers={"X-Forwarded-For": "1.1.1.1"}, environ_base=peer
        ).status_code
        == 200
    )
    response = client.get("/courses", headers={"X-Forwarded-For": "2.2.2.2"}, environ_base=peer)
    assert response.status_code == 429


def test_the_webhook_is_never_throttled(
    make_client: MakeApp, upstreams: dict[str, FakeUpstream]
) -> None:
    client = make_client(RATE_LIMIT_PER_IP="1")
    for _ in range(5):
        response = client.post("/api/payments/webhook", data=b"{}", content_type="application/json")
        assert response.status_code == 200
    assert len(upstreams["billing"].seen) == 5


def test_disabled_rate_limits_never_429(make_client: MakeApp) -> None:
    client = make_client(RATE_LIMIT_PER_IP="1", RATE_LIMIT_ENABLED="false")
    assert [client.get("/courses").status_code for _ in range(3)] == [200, 200, 200]


def test_redis_down_fails_open(make_client: MakeApp, caplog: pytest.LogCaptureFixture) -> None:
    client = make_client(RATE_LIMIT_PER_IP="1", REDIS_URL="redis://127.0.0.1:1/9")
    assert [client.get("/courses").status_code for _ in range(3)] == [200, 200, 200]
    assert "rate limit skipped: redis unavailable" in caplog.text


def test_the_window_is_counted_in_redis_with_an_expiry(
    client: FlaskClient, redis_db: redis.Redis
) -> None:
    client.get("/courses")
    keys = redis_db.keys("gateway:ratelimit:ip:*")
    assert len(keys) == 1
    assert 0 < redis_db.ttl(keys[0]) <= 61
