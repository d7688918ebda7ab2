"""Dev identity provider: JWKS, Clerk-shaped session tokens, Backend API users and metadata."""

from __future__ import annotations

import time
import uuid
from typing import Any

import jwt
import pytest
import requests

from standins.config import StandinConfig
from standins.tests.conftest import CLERK_SECRET

BACKEND_AUTH = {"Authorization": f"Bearer {CLERK_SECRET}"}
CLERK_V2_CLAIMS = {"sub", "sid", "azp", "iss", "iat", "nbf", "exp", "v", "fva", "jti"}


def new_user_id() -> str:
    return f"user_{uuid.uuid4().hex[:16]}"


def mint(base_url: str, **body: Any) -> requests.Response:
    return requests.post(f"{base_url}/idp/dev/token", json=body, timeout=5)


def verify(base_url: str, token: str) -> dict[str, Any]:
    keys = requests.get(f"{base_url}/idp/.well-known/jwks.json", timeout=5).json()["keys"]
    kid = jwt.get_unverified_header(token)["kid"]
    [jwk] = [key for key in keys if key["kid"] == kid]
    claims: dict[str, Any] = jwt.decode(token, key=jwt.PyJWK(jwk).key, algorithms=["RS256"])
    return claims


def backend(base_url: str, method: str, path: str, **kwargs: Any) -> requests.Response:
    headers = kwargs.pop("headers", BACKEND_AUTH)
    return requests.request(
        method, f"{base_url}/idp/v1{path}", headers=headers, timeout=5, **kwargs
    )


def test_jwks_lists_one_rs256_signing_key(base_url: str) -> None:
    response = requests.get(f"{base_url}/idp/.well-known/jwks.json", timeout=5)
    [key] = response.json()["keys"]
    assert {key["kty"], key["use"], key["alg"]} == {"RSA", "sig", "RS256"}
    assert key["kid"]
    assert "=" not in key["n"] + key["e"]
    assert key["e"] == "AQAB"
    assert backend(base_url, "GET", "/jwks").json() == response.json()


def test_backend_jwks_needs_the_secret_key(base_url: str) -> None:
    response = backend(base_url, "GET", "/jwks", headers={})
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "authentication_invalid"


def test_dev_token_has_clerk_v2_claims(base_url: str, config: StandinConfig) -> None:
    user_id = new_user_id()
    token = mint(base_url, sub=user_id, role="teacher").json()["token"]
    claims = verify(base_url, token)
    assert set(claims) == CLERK_V2_CLAIMS | {"userType"}
    assert claims["sub"] == user_id
    assert claims["sid"].startswith("sess_")
    assert claims["azp"] == "http://localhost:3000"
    assert claims["iss"] == f"{base_url}/idp" == config.idp_issuer
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["nbf"] == claims["iat"]
    assert abs(claims["iat"] - time.time()) < 5
    assert claims["v"] == 2
    assert claims["fva"] == [0, -1]
    assert claims["userType"] == "teacher"
    assert jwt.get_unverified_header(token)["alg"] == "RS256"


def test_token_options_azp_ttl_and_nbf(base_url: str) -> None:
    user_id = new_user_id()
    given = verify(
        base_url, mint(base_url, sub=user_id, azp="https://app.prolearn.test").json()["token"]
    )
    assert given["azp"] == "https://app.prolearn.test"
    assert "userType" not in given
    without_azp = verify(base_url, mint(base_url, sub=user_id, azp="").json()["token"])
    assert "azp" not in without_azp
    expired = mint(base_url, sub=user_id, ttlSeconds=-60).json()["token"]
    with pytest.raises(jwt.ExpiredSignatureError):
        verify(base_url, expired)
    future = mint(base_url, sub=user_id, nbfOffsetSeconds=120).json()["token"]
    with pytest.raises(jwt.ImmatureSignatureError):
        verify(base_url, future)
    short = verify(base_url, mint(base_url, sub=user_id, ttlSeconds=60).json()["token"])
    assert short["exp"] - short["iat"] == 60


def test_role_claim_comes_from_stored_public_metadata(base_url: str) -> None:
    user_id = new_user_id()
    mint(base_url, sub=user_id)
    backend(
        base_url,
        "PATCH",
        f"/users/{user_id}/metadata",
        json={"public_metadata": {"userType": "student"}},
    )
    claims = verify(base_url, mint(base_url, sub=user_id).json()["token"])
    assert claims["userType"] == "student"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"sub": ""},
        {"sub": 42},
        {"sub": "user_x", "role": "admin"},
        {"sub": "u", "ttlSeconds": "1"},
    ],
)
def test_invalid_token_requests_are_400(base_url: str, body: dict[str, Any]) -> None:
    response = mint(base_url, **body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["long_message"]


def test_minting_creates_the_user_record(base_url: str) -> None:
    user_id = new_user_id()
    mint(base_url, sub=user_id, name="Ada King Lovelace")
    user = backend(base_url, "GET", f"/users/{user_id}").json()
    assert user["id"] == user_id
    assert user["object"] == "user"
    assert (user["first_name"], user["last_name"]) == ("Ada", "King Lovelace")
    [email] = user["email_addresses"]
    assert email["email_address"] == f"{user_id}@example.test"
    assert email["object"] == "email_address"
    assert email["verification"] == {
        "object": "verification_otp",
        "status": "verified",
        "strategy": "email_code",
        "attempts": 1,
        "expire_at": None,
    }
    assert (email["reserved"], email["linked_to"]) == (False, [])
    assert user["primary_email_address_id"] == email["id"]
    assert user["phone_numbers"] == []
    assert user["primary_phone_number_id"] is None
    assert user["public_metadata"] == user["private_metadata"] == user["unsafe_metadata"] == {}
    assert user["banned"] is False
    assert user["locked"] is False
    assert user["created_at"] > 1_600_000_000_000
    assert user["image_url"]


def test_dev_users_endpoint_sets_contact_details(base_url: str) -> None:
    user_id = new_user_id()
    body = {
        "sub": user_id,
        "name": "Grace Hopper",
        "email": "grace@navy.test",
        "phone": "+15550100",
    }
    created = requests.post(f"{base_url}/idp/dev/users", json=body, timeout=5).json()
    assert created["email_addresses"][0]["email_address"] == "grace@navy.test"
    [phone] = created["phone_numbers"]
    assert phone["phone_number"] == "+15550100"
    assert created["primary_phone_number_id"] == phone["id"]
    mint(base_url, sub=user_id, name="Someone Else")
    assert backend(base_url, "GET", f"/users/{user_id}").json()["first_name"] == "Grace"


def test_backend_api_requires_the_secret_key(base_url: str) -> None:
    for headers in ({}, {"Authorization": "Bearer sk_wrong"}, {"Authorization": CLERK_SECRET}):
        response = backend(base_url, "GET", "/users/user_any", headers=headers)
        assert response.status_code == 401
        [error] = response.json()["errors"]
        assert set(error) == {"message", "long_message", "code"}
        assert error["code"] == "authentication_invalid"


def test_unknown_user_is_404(base_url: str) -> None:
    response = backend(base_url, "GET", "/users/user_missing")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "resource_not_found"
    patch = backend(base_url, "PATCH", "/users/user_missing/metadata", json={})
    assert patch.status_code == 404


def test_metadata_patch_deep_merges_and_null_removes(base_url: str) -> None:
    user_id = new_user_id()
    mint(base_url, sub=user_id)
    path = f"/users/{user_id}/metadata"
    backend(
        base_url,
        "PATCH",
        path,
        json={
            "public_metadata": {"userType": "teacher", "profile": {"bio": "hi", "links": {"a": 1}}},
            "private_metadata": {"stripe": "cus_1"},
        },
    )
    merged = backend(
        base_url,
        "PATCH",
        path,
        json={
            "public_metadata": {"profile": {"links": {"b": 2}, "bio": None}},
        },
    ).json()
    assert merged["public_metadata"] == {
        "userType": "teacher",
        "profile": {"links": {"a": 1, "b": 2}},
    }
    assert merged["private_metadata"] == {"stripe": "cus_1"}
    removed = backend(base_url, "PATCH", path, json={"public_metadata": {"profile": None}}).json()
    assert removed["public_metadata"] == {"userType": "teacher"}
    replaced = backend(base_url, "PUT", path, json={"public_metadata": {"x": 1}}).json()
    assert replaced["public_metadata"] == {"x": 1}
    assert replaced["private_metadata"] == {"stripe": "cus_1"}
    invalid = backend(base_url, "PATCH", path, json={"public_metadata": "teacher"})
    assert invalid.status_code == 422


def test_list_users_by_id(base_url: str) -> None:
    first, second, third = new_user_id(), new_user_id(), new_user_id()
    for user_id in (first, second, third):
        mint(base_url, sub=user_id)
    listed = backend(base_url, "GET", "/users", params={"user_id": [first, third]}).json()
    assert sorted(user["id"] for user in listed) == sorted([first, third])
    assert len(backend(base_url, "GET", "/users", params={"limit": 2}).json()) == 2
