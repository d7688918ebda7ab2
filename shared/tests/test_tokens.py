"""Clerk token verification: RS256 only, times, azp, iss, role claims."""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.auth.principal import role_from_claims
from shared.auth.tokens import TokenVerifier
from shared.config import ClerkSettings
from shared.web.errors import Unauthorized

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PUBLIC_PEM = (
    KEY.public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    .decode()
)
ORIGIN = "http://localhost:3000"


def verifier(issuer: str | None = None) -> TokenVerifier:
    return TokenVerifier(
        ClerkSettings(
            jwt_key=PUBLIC_PEM,
            jwks_url=None,
            issuer=issuer,
            secret_key="sk",
            api_url="http://unused",
            authorized_parties=(ORIGIN,),
        )
    )


def token(**overrides: Any) -> str:
    now = int(time.time())
    claims = {"sub": "user_1", "iat": now, "nbf": now, "exp": now + 60, "azp": ORIGIN}
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, KEY, algorithm="RS256", headers={"kid": "k1"})


def test_valid_token_gives_principal_with_role() -> None:
    principal = verifier().verify(token(userType="teacher"))
    assert (principal.user_id, principal.role) == ("user_1", "teacher")


def test_token_without_azp_is_accepted() -> None:
    assert verifier().verify(token(azp=None)).user_id == "user_1"


@dataclass(frozen=True)
class FromNow:
    """A time claim relative to when the test runs, not to when the suite was collected."""

    seconds: int


AGO_30S, IN_60S = FromNow(-30), FromNow(60)


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"exp": AGO_30S}, "token_expired"),
        ({"nbf": IN_60S}, "token_not_active_yet"),
        ({"azp": "https://evil.example"}, "token_invalid_azp"),
        ({"sub": None}, "token_invalid"),
        ({"sub": "../user_1"}, "token_invalid"),
        ({"sub": "u" * 65}, "token_invalid"),
        ({"azp": 5}, "token_invalid_azp"),
    ],
)
def test_bad_claims_are_refused(overrides: dict[str, Any], code: str) -> None:
    now = int(time.time())
    claims = {
        name: now + value.seconds if isinstance(value, FromNow) else value
        for name, value in overrides.items()
    }
    with pytest.raises(Unauthorized) as caught:
        verifier().verify(token(**claims))
    assert caught.value.code == code


def test_leeway_is_five_seconds() -> None:
    assert verifier().verify(token(exp=int(time.time()) - 3)).user_id == "user_1"


def _unsigned(alg: str) -> str:
    def b64(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    now = int(time.time())
    return (
        f"{b64({'alg': alg, 'typ': 'JWT'})}.{b64({'sub': 'user_1', 'iat': now, 'exp': now + 60})}."
    )


def test_alg_none_is_refused() -> None:
    with pytest.raises(Unauthorized):
        verifier().verify(_unsigned("none"))


def test_hs256_signed_with_the_public_key_is_refused() -> None:
    with pytest.raises(Unauthorized) as caught:
        verifier().verify(_hs256_with_public_key())
    assert caught.value.code == "token_invalid_alg"


def _hs256_with_public_key() -> str:
    import hashlib
    import hmac

    header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').decode().rstrip("=")
    now = int(time.time())
    body = json.dumps({"sub": "user_1", "iat": now, "exp": now + 60}).encode()
    payload = base64.urlsafe_b64encode(body).decode().rstrip("=")
    signing_input = f"{header}.{payload}".encode()
    sig = hmac.new(PUBLIC_PEM.encode(), signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}." + base64.urlsafe_b64encode(sig).decode().rstrip("=")


def test_issuer_is_checked_when_configured() -> None:
    strict = verifier(issuer="https://clerk.prolearn.test")
    assert strict.verify(token(iss="https://clerk.prolearn.test")).user_id == "user_1"
    with pytest.raises(Unauthorized):
        strict.verify(token(iss="https://elsewhere.test"))


def test_role_claim_precedence() -> None:
    assert role_from_claims({"userType": "student", "metadata": {"role": "teacher"}}) == "student"
    assert role_from_claims({"metadata": {"userType": "teacher"}}) == "teacher"
    assert role_from_claims({"metadata": {"role": "student"}}) == "student"
    assert role_from_claims({"userType": "admin"}) is None
    assert role_from_claims({}) is None
