"""Token verification against a JWKS (the Clerk stand-in): keys expire, refetches are bounded,
and the secret key never goes to the public JWKS."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask
from werkzeug.serving import make_server

from shared.auth.tokens import TokenVerifier
from shared.config import ClerkSettings
from shared.web.errors import Unauthorized
from standins.app import create_app
from standins.config import StandinConfig

SECRET = f"sk_test_{uuid.uuid4().hex}"
ORIGIN = "http://localhost:3000"
FOREIGN_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass(frozen=True)
class Idp:
    """The stand-in's identity provider, served over HTTP for one test."""

    url: str

    def token(self, sub: str = "user_1") -> str:
        response = requests.post(f"{self.url}/idp/dev/token", json={"sub": sub}, timeout=5)
        token: str = response.json()["token"]
        return token

    def rotate(self) -> None:
        requests.post(f"{self.url}/idp/dev/rotate-key", timeout=30).raise_for_status()

    def fetches(self) -> dict[str, int]:
        counts: dict[str, int] = requests.get(f"{self.url}/idp/dev/jwks-fetches", timeout=5).json()
        return counts

    def verifier(
        self, cache: float, refetch: float, jwks_path: str = "/.well-known/jwks.json"
    ) -> TokenVerifier:
        return TokenVerifier(
            ClerkSettings(
                jwt_key=None,
                jwks_url=f"{self.url}/idp{jwks_path}",
                issuer=None,
                secret_key=SECRET,
                api_url=f"{self.url}/idp/v1",
                authorized_parties=(ORIGIN,),
                jwks_cache_seconds=cache,
                jwks_refetch_seconds=refetch,
            )
        )


@pytest.fixture
def idp() -> Iterator[Idp]:
    server = make_server("127.0.0.1", 0, Flask("placeholder"), threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    server.app = create_app(StandinConfig(public_url=url, clerk_secret_key=SECRET))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield Idp(url)
    server.shutdown()


def refused(verifier: TokenVerifier, token: str) -> str | None:
    """The error code when the token is refused, else None."""
    try:
        verifier.verify(token)
    except Unauthorized as error:
        return error.code
    return None


def foreign_token(kid: str) -> str:
    """A well-formed token under a `kid` the JWKS does not list."""
    now = int(time.time())
    claims: dict[str, Any] = {"sub": "user_1", "iat": now, "exp": now + 60}
    return jwt.encode(claims, FOREIGN_KEY, algorithm="RS256", headers={"kid": kid})


def test_a_key_rotated_out_is_refused_once_the_cache_expires(idp: Idp) -> None:
    verifier = idp.verifier(cache=1, refetch=0.2)
    old = idp.token()
    assert refused(verifier, old) is None
    idp.rotate()
    time.sleep(1.3)
    assert refused(verifier, old) == "token_invalid"
    assert refused(verifier, idp.token()) is None


def test_a_new_key_is_fetched_for_its_unknown_kid_before_the_cache_expires(idp: Idp) -> None:
    verifier = idp.verifier(cache=300, refetch=0.5)
    assert refused(verifier, idp.token()) is None
    idp.rotate()
    time.sleep(0.6)
    assert refused(verifier, idp.token()) is None
    assert idp.fetches()["count"] == 2


def test_random_kids_do_not_make_the_verifier_refetch_within_the_interval(idp: Idp) -> None:
    verifier = idp.verifier(cache=300, refetch=300)
    assert refused(verifier, idp.token()) is None
    for _ in range(25):
        assert refused(verifier, foreign_token(f"ins_{uuid.uuid4().hex}")) == "token_invalid"
    assert idp.fetches()["count"] == 1


def test_the_public_jwks_never_gets_the_secret_key(idp: Idp) -> None:
    verifier = idp.verifier(cache=0.1, refetch=0)
    for _ in range(3):
        assert refused(verifier, idp.token()) is None
        time.sleep(0.15)
    fetches = idp.fetches()
    assert fetches["count"] >= 3
    assert fetches["withAuthorization"] == 0


def test_the_backend_api_jwks_gets_the_secret_key_it_requires(idp: Idp) -> None:
    verifier = idp.verifier(cache=300, refetch=10, jwks_path="/v1/jwks")
    assert refused(verifier, idp.token()) is None
    assert idp.fetches()["count"] == 0
