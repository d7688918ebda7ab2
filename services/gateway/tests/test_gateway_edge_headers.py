"""CORS for the configured origins only, on every response; security headers everywhere."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Response, jsonify
from flask.testing import FlaskClient
from gateway_fakes import ORIGIN, FakeUpstream

from gateway.security_headers import SECURITY_HEADERS

Bearer = Callable[..., dict[str, str]]
PREFLIGHT = {
    "Origin": ORIGIN,
    "Access-Control-Request-Method": "PATCH",
    "Access-Control-Request-Headers": "authorization, idempotency-key",
}


@pytest.mark.parametrize(
    "path", ["/courses", "/courses/c1", "/user/clerk/u1", "/api/payments/webhook"]
)
def test_preflight_for_a_known_route_is_204_from_the_gateway(
    client: FlaskClient, upstreams: dict[str, FakeUpstream], path: str
) -> None:
    response = client.options(path, headers=PREFLIGHT)
    assert response.status_code == 204
    assert response.data == b""
    headers = response.headers
    assert headers["Access-Control-Allow-Origin"] == ORIGIN
    assert set(headers["Access-Control-Allow-Methods"].split(", ")) == {
        "GET",
        "POST",
        "PUT",
        "PATCH",
        "DELETE",
        "OPTIONS",
    }
    assert headers["Access-Control-Allow-Headers"] == (
        "Authorization, Content-Type, Idempotency-Key, X-Request-Id"
    )
    assert headers["Access-Control-Allow-Credentials"] == "true"
    assert headers["Access-Control-Max-Age"] == "600"
    assert "Origin" in headers["Vary"]
    assert all(fake.seen == [] for fake in upstreams.values())


def test_preflight_for_an_unknown_route_is_404(client: FlaskClient) -> None:
    assert client.options("/nope", headers=PREFLIGHT).status_code == 404


def test_a_disallowed_origin_gets_no_cors_headers(client: FlaskClient) -> None:
    for response in (
        client.options("/courses", headers={**PREFLIGHT, "Origin": "https://evil.test"}),
        client.get("/courses", headers={"Origin": "https://evil.test"}),
        client.get("/courses", headers={"Origin": "null"}),
    ):
        assert not [name for name, _ in response.headers.items() if name.startswith("Access-")]
        assert "Origin" in response.headers["Vary"]


def test_every_configured_origin_is_allowed(client: FlaskClient) -> None:
    response = client.get("/courses", headers={"Origin": "https://app.prolearn.test"})
    assert response.headers["Access-Control-Allow-Origin"] == "https://app.prolearn.test"


def _cacheable() -> Response:
    response = jsonify({"message": "ok", "data": []})
    response.headers["Cache-Control"] = "public, max-age=30"
    return response


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/courses", 200), ("GET", "/courses/teacher", 401), ("GET", "/nope", 404)],
)
def test_cors_headers_are_on_answers_and_errors_alike(
    client: FlaskClient, method: str, path: str, status: int
) -> None:
    response = client.open(path, method=method, headers={"Origin": ORIGIN})
    assert response.status_code == status
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert response.headers["Access-Control-Expose-Headers"] == (
        "X-Next-Cursor, X-Request-Id, Retry-After, Idempotent-Replayed,"
        " X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"
    )


@pytest.mark.parametrize("path", ["/courses", "/nope", "/health", "/courses/teacher"])
def test_security_headers_are_on_every_response(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert (
        response.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    )


def test_answers_to_authenticated_requests_are_not_stored(
    client: FlaskClient, upstreams: dict[str, FakeUpstream], bearer: Bearer
) -> None:
    upstreams["catalog"].respond = _cacheable
    assert (
        client.get("/courses", headers=bearer("u1", "student")).headers["Cache-Control"]
        == "no-store"
    )
    assert (
        client.get("/courses/teacher", headers=bearer("u1")).headers["Cache-Control"] == "no-store"
    )
    assert client.get("/courses").headers["Cache-Control"] == "public, max-age=30"
