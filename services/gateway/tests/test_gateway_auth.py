"""Auth at the gateway: bad tokens are 401, the wrong caller is 403, nothing reaches upstream."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from flask.testing import FlaskClient
from gateway_fakes import FakeClerk, FakeUpstream, Keys, Mint
from werkzeug.test import TestResponse

Bearer = Callable[..., dict[str, str]]


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _unsigned(sub: str) -> str:
    now = int(time.time())
    claims = {"sub": sub, "iat": now, "exp": now + 300, "userType": "teacher"}
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."


def _hs256_with_public_key(keys: Keys, sub: str) -> str:
    now = int(time.time())
    header = _b64({"alg": "HS256", "typ": "JWT", "kid": "k1"})
    body = _b64({"sub": sub, "iat": now, "exp": now + 300, "userType": "teacher"})
    signature = hmac.new(keys.public_pem.encode(), f"{header}.{body}".encode(), hashlib.sha256)
    return f"{header}.{body}.{base64.urlsafe_b64encode(signature.digest()).decode().rstrip('=')}"


def _code(response: TestResponse) -> str:
    code: str = response.get_json()["error"]["code"]
    return code


def test_no_token_is_401_json_never_a_redirect(
    client: FlaskClient, upstreams: dict[str, FakeUpstream]
) -> None:
    response = client.get("/courses/teacher")
    assert response.status_code == 401
    assert response.is_json
    assert "Location" not in response.headers
    assert _code(response) == "token_missing"
    assert upstreams["catalog"].seen == []


@pytest.mark.parametrize(
    ("token", "code"),
    [
        (lambda mint, keys: mint("user_1", "teacher", ttl=-60), "token_expired"),
        (lambda mint, keys: _unsigned("user_1"), "token_invalid_alg"),
        (lambda mint, keys: _hs256_with_public_key(keys, "user_1"), "token_invalid_alg"),
        (
            lambda mint, keys: mint("user_1", "teacher", azp="https://evil.test"),
            "token_invalid_azp",
        ),
        (lambda mint, keys: "not.a.token", "token_invalid"),
    ],
    ids=["expired", "alg-none", "hs256-public-key", "wrong-azp", "garbage"],
)
def test_bad_tokens_are_401_at_the_gateway_unit(
    client: FlaskClient,
    upstreams: dict[str, FakeUpstream],
    mint: Mint,
    keys: Keys,
    token: Callable[[Mint, Keys], str],
    code: str,
) -> None:
    response = client.get(
        "/courses/teacher", headers={"Authorization": f"Bearer {token(mint, keys)}"}
    )
    assert response.status_code == 401
    assert _code(response) == code
    assert upstreams["catalog"].seen == []


def test_a_token_signed_by_another_key_is_401(client: FlaskClient) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    token = jwt.encode(
        {"sub": "user_1", "iat": now, "exp": now + 60, "userType": "teacher"},
        other,
        algorithm="RS256",
        headers={"kid": "k1"},
    )
    response = client.get("/courses/teacher", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_missing_role_is_403_onboarding_required(client: FlaskClient, bearer: Bearer) -> None:
    for method, path in [("GET", "/courses/teacher"), ("GET", "/api/payments/transactions/u1")]:
        response = client.open(path, method=method, headers=bearer("u1"))
        assert response.status_code == 403
        assert _code(response) == "onboarding_required"


def test_the_role_may_come_from_metadata_claims(client: FlaskClient, bearer: Bearer) -> None:
    response = client.get("/courses/teacher", headers=bearer("u1", metadata={"role": "teacher"}))
    assert response.status_code == 200


def test_wrong_role_is_403(client: FlaskClient, bearer: Bearer) -> None:
    response = client.post("/courses", headers=bearer("u1", "student"), json={})
    assert response.status_code == 403
    assert _code(response) == "wrong_role"
    response = client.post("/api/payments/create-order", headers=bearer("u1", "teacher"), json={})
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/payments/order-status/someone_else/o1"),
        ("GET", "/api/payments/transactions/someone_else"),
        ("GET", "/users/course-progress/someone_else/enrolled-courses"),
        ("PUT", "/users/course-progress/someone_else/courses/c1"),
        ("PUT", "/user/clerk/someone_else"),
    ],
)
def test_another_users_id_is_403(
    client: FlaskClient, bearer: Bearer, upstreams: dict[str, FakeUpstream], method: str, path: str
) -> None:
    response = client.open(path, method=method, headers=bearer("u1", "student"), json={})
    assert response.status_code == 403
    assert _code(response) == "not_self"
    assert all(fake.seen == [] for fake in upstreams.values())


def test_a_role_less_user_may_onboard_and_read_their_profile(
    client: FlaskClient, bearer: Bearer, clerk: FakeClerk
) -> None:
    clerk.add("u1")
    assert client.get("/users/me", headers=bearer("u1")).status_code == 200
    response = client.post("/users/onboarding", headers=bearer("u1"), json={"userType": "teacher"})
    assert response.status_code == 200


def test_optional_routes_take_anonymous_callers_but_reject_bad_tokens(
    client: FlaskClient, upstreams: dict[str, FakeUpstream], mint: Mint
) -> None:
    assert client.get("/courses/c1").status_code == 200
    expired = {"Authorization": f"Bearer {mint('u1', 'student', ttl=-60)}"}
    assert client.get("/courses/c1", headers=expired).status_code == 401
    assert len(upstreams["catalog"].seen) == 1


def test_public_routes_forward_whatever_token_was_sent(
    client: FlaskClient, upstreams: dict[str, FakeUpstream], mint: Mint
) -> None:
    header = {"Authorization": f"Bearer {mint('u1', 'student', ttl=-60)}"}
    assert client.get("/courses", headers=header).status_code == 200
    assert upstreams["catalog"].last.headers["Authorization"] == header["Authorization"]
