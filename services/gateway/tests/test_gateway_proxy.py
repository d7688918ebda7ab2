"""Forwarding: what crosses to the upstream and back, byte-exact webhooks, failures as JSON."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from flask import Response, jsonify
from flask.testing import FlaskClient
from gateway_fakes import FakeUpstream, MakeApp

from gateway.routes import DEFAULT_BODY_BYTES, MiB
from shared.tests.dropping_server import DroppingServer

Bearer = Callable[..., dict[str, str]]

WEBHOOK_BODY = (
    b'{"data":{"order":{"order_id":"order_1","order_amount":499.00,"order_currency":"INR"},'
    b'"payment":{"payment_status":"SUCCESS","payment_amount":499.00}},'
    b'"event_time":"2026-11-25T10:00:00+05:30","type":"PAYMENT_SUCCESS_WEBHOOK"}'
)


def test_the_raw_webhook_body_and_its_headers_are_forwarded_untouched(
    client: FlaskClient, upstreams: dict[str, FakeUpstream]
) -> None:
    headers = {
        "Content-Type": "application/json",
        "x-webhook-signature": "07r5C3VMwsGYeldGOCYxe5zoHhIN1zLfa8O0U/yngHI=",
        "x-webhook-timestamp": "1746427759733",
        "x-webhook-version": "2023-08-01",
        "x-webhook-attempt": "2",
        "x-idempotency-key": "n9rn7079wqXcse3GEDEXCYle9ajXmU0SUQY8zrUNAlc=",
    }
    response = client.post("/api/payments/webhook", data=WEBHOOK_BODY, headers=headers)
    assert response.status_code == 200
    seen = upstreams["billing"].last
    assert seen.body == WEBHOOK_BODY
    for name, value in headers.items():
        assert seen.headers[name.title()] == value
    assert "Authorization" not in seen.headers


def test_identity_request_id_and_forwarded_for_reach_the_upstream(
    client: FlaskClient, upstreams: dict[str, FakeUpstream], bearer: Bearer
) -> None:
    auth = bearer("u1", "teacher")
    response = client.get(
        "/courses/teacher?limit=5&cursor=a%2Bb",
        headers={**auth, "X-Request-Id": "req-12345678", "X-Forwarded-For": "203.0.113.9"},
        environ_base={"REMOTE_ADDR": "10.0.0.7"},
    )
    assert response.status_code == 200
    assert response.headers["X-Request-Id"] == "req-12345678"
    seen = upstreams["catalog"].last
    assert seen.headers["Authorization"] == auth["Authorization"]
    assert seen.headers["X-Request-Id"] == "req-12345678"
    assert seen.headers["X-Forwarded-For"] == "203.0.113.9, 10.0.0.7"
    assert seen.query == b"limit=5&cursor=a%2Bb"


def test_a_minted_request_id_is_passed_upstream_too(
    client: FlaskClient, upstreams: dict[str, FakeUpstream]
) -> None:
    response = client.get("/courses")
    assert upstreams["catalog"].last.headers["X-Request-Id"] == response.headers["X-Request-Id"]


def test_hop_by_hop_and_client_identity_headers_are_not_forwarded(
    client: FlaskClient, upstreams: dict[str, FakeUpstream]
) -> None:
    sneaky = {
        "Connection": "keep-alive, X-Secret",
        "X-Secret": "1",
        "Keep-Alive": "timeout=5",
        "Proxy-Authorization": "Basic Zm9vOmJhcg==",
        "TE": "trailers",
        "X-User-Id": "admin",
        "X-Internal-Token": "local-internal-token",
        "X-Principal": "teacher",
        "Cookie": "__session=abc",
    }
    client.get("/courses", headers=sneaky)
    seen = {name.lower() for name in upstreams["catalog"].last.headers}
    assert not seen & {name.lower() for name in sneaky if name != "Connection"}
    assert "x-secret" not in seen


def test_upstream_response_headers_pass_but_hop_by_hop_and_cookies_do_not(
    client: FlaskClient, upstreams: dict[str, FakeUpstream]
) -> None:
    def respond() -> Response:
        response = jsonify({"message": "ok", "data": []})
        response.status_code = 201
        response.headers.update(
            {
                "X-Next-Cursor": "abc",
                "Retry-After": "7",
                "Set-Cookie": "s=1",
                "Keep-Alive": "timeout=5",
                "X-Powered-By": "flask",
            }
        )
        return response

    upstreams["catalog"].respond = respond
    response = client.get("/courses")
    assert response.status_code == 201
    assert response.get_json() == {"message": "ok", "data": []}
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["X-Next-Cursor"] == "abc"
    assert response.headers["Retry-After"] == "7"
    for dropped in ("Set-Cookie", "Keep-Alive", "X-Powered-By"):
        assert dropped not in response.headers


def test_an_upstream_4xx_passes_through(
    client: FlaskClient, upstreams: dict[str, FakeUpstream]
) -> None:
    upstreams["catalog"].respond = lambda: Response(
        b'{"message":"No such course.","error":{"code":"not_found","details":null}}',
        status=404,
        content_type="application/json",
    )
    response = client.get("/courses/c9")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_upstream_down_is_503_upstream_unavailable(
    make_client: MakeApp, dead_url: str, bearer: Bearer
) -> None:
    client = make_client(ENROLLMENT_URL=dead_url)
    response = client.get(
        "/users/course-progress/u1/enrolled-courses", headers=bearer("u1", "student")
    )
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "upstream_unavailable"


@pytest.fixture
def hangup_url() -> Iterator[str]:
    """An upstream that accepts the connection, reads the request, then hangs up without a reply."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)

    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


def test_an_upstream_that_hangs_up_is_502(make_client: MakeApp, hangup_url: str) -> None:
    response = make_client(CATALOG_URL=hangup_url).get("/courses")
    assert response.status_code == 502
    assert response.get_json()["error"]["code"] == "upstream_error"


def test_a_slow_upstream_is_504(
    make_client: MakeApp, upstreams: dict[str, FakeUpstream], bearer: Bearer
) -> None:
    release = threading.Event()

    def slow() -> Response:
        release.wait(5)
        return jsonify({"message": "late", "data": None})

    upstreams["billing"].respond = slow
    client = make_client(GATEWAY_UPSTREAM_READ_TIMEOUT="0.2")
    started = time.monotonic()
    response = client.get("/api/payments/transactions/u1", headers=bearer("u1", "student"))
    release.set()
    assert response.status_code == 504
    assert response.get_json()["error"]["code"] == "upstream_timeout"
    assert time.monotonic() - started < 2


def test_an_upstream_500_in_html_is_502_without_its_body(
    client: FlaskClient, upstreams: dict[str, FakeUpstream]
) -> None:
    upstreams["catalog"].respond = lambda: Response(
        "<html>Traceback (most recent call last): secret</html>",
        status=500,
        content_type="text/html",
    )
    response = client.get("/courses")
    assert response.status_code == 502
    assert response.get_json()["error"]["code"] == "upstream_error"
    assert b"Traceback" not in response.data


def test_an_upstream_5xx_in_the_error_shape_passes_through(
    client: FlaskClient, upstreams: dict[str, FakeUpstream]
) -> None:
    body = b'{"message":"Storage failed.","error":{"code":"storage_unavailable","details":null}}'
    upstreams["billing"].respond = lambda: Response(
        body, status=503, content_type="application/json", headers={"Retry-After": "3"}
    )
    response = client.post("/api/payments/webhook", data=b"{}", content_type="application/json")
    assert response.status_code == 503
    assert response.data == body
    assert response.headers["Retry-After"] == "3"


def test_the_proxy_never_sends_the_clerk_secret_upstream(
    client: FlaskClient, upstreams: dict[str, FakeUpstream]
) -> None:
    client.get("/courses")
    assert "Authorization" not in upstreams["catalog"].last.headers


def test_a_body_over_the_routes_cap_is_413_naming_the_field_and_not_forwarded(
    client: FlaskClient, upstreams: dict[str, FakeUpstream], bearer: Bearer
) -> None:
    too_big = b"x" * (6 * MiB + 1)
    response = client.put(
        "/courses/c1", headers=bearer("u1", "teacher"), data=too_big, content_type="text/plain"
    )
    assert response.status_code == 413
    assert response.json["error"]["code"] == "payload_too_large"  # type: ignore[index]
    assert "image" in response.json["error"]["details"]  # type: ignore[index]
    assert upstreams["catalog"].seen == []


def test_other_routes_keep_the_default_cap(
    client: FlaskClient, upstreams: dict[str, FakeUpstream], bearer: Bearer
) -> None:
    response = client.post(
        "/courses",
        headers=bearer("u1", "teacher"),
        data=b"{" + b" " * DEFAULT_BODY_BYTES + b"}",
        content_type="application/json",
    )
    assert response.status_code == 413
    assert response.json["error"]["details"] == {  # type: ignore[index]
        "body": "the request must be at most 1 MB in all"
    }
    assert upstreams["catalog"].seen == []


@pytest.fixture
def dropping() -> Iterator[DroppingServer]:
    """An upstream that drops every kept-alive connection when it is reused."""
    server = DroppingServer()
    yield server
    server.close()


def test_a_safe_call_on_a_dropped_upstream_connection_is_tried_once_more(
    make_client: MakeApp, dropping: DroppingServer
) -> None:
    client = make_client(CATALOG_URL=f"http://127.0.0.1:{dropping.port}")
    assert client.get("/courses").status_code == 200
    assert client.get("/courses").status_code == 200  # its reused connection dropped; retried
    assert (dropping.connections, dropping.requests) == (2, 3)


def test_a_post_on_a_dropped_upstream_connection_is_not_repeated(
    make_client: MakeApp, dropping: DroppingServer
) -> None:
    client = make_client(BILLING_URL=f"http://127.0.0.1:{dropping.port}")
    headers = {"Content-Type": "application/json"}
    assert client.post("/api/payments/webhook", data=b"{}", headers=headers).status_code == 200
    second = client.post("/api/payments/webhook", data=b"{}", headers=headers)
    assert second.status_code == 502
    assert dropping.requests == 2
