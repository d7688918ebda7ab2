"""Fixtures: RS256 tokens, fake upstreams and a fake Clerk served over real HTTP, Redis DB 9."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import jwt
import pytest
import redis
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask.testing import FlaskClient
from gateway_fakes import (
    CLERK_SECRET,
    ORIGIN,
    REDIS_URL,
    SERVICES,
    FakeClerk,
    FakeUpstream,
    Keys,
    MakeApp,
    Mint,
    serve,
)

from gateway.app import create_app
from shared.config import Settings, load_settings


@pytest.fixture(scope="session")
def keys() -> Keys:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return Keys(private, pem.decode())


@pytest.fixture(scope="session")
def mint(keys: Keys) -> Mint:
    """mint(sub, role=None, ttl=300, **claims) → an RS256 session token signed with kid k1."""

    def make(sub: str, role: str | None = None, ttl: int = 300, **claims: Any) -> str:
        now = int(time.time())
        payload: dict[str, Any] = {
            "sub": sub,
            "iat": now,
            "nbf": now,
            "exp": now + ttl,
            "azp": ORIGIN,
        }
        if role is not None:
            payload["userType"] = role
        payload.update(claims)
        return jwt.encode(payload, keys.private, algorithm="RS256", headers={"kid": "k1"})

    return make


@pytest.fixture(scope="session")
def upstreams() -> Iterator[dict[str, FakeUpstream]]:
    fakes = {name: FakeUpstream(name) for name in SERVICES}
    servers = []
    for fake in fakes.values():
        server, fake.url = serve(fake.app())
        servers.append(server)
    yield fakes
    for server in servers:
        server.shutdown()


@pytest.fixture(scope="session")
def clerk() -> Iterator[FakeClerk]:
    fake = FakeClerk()
    server, fake.url = serve(fake.app())
    yield fake
    server.shutdown()


@pytest.fixture(scope="session")
def dead_url() -> str:
    """A loopback address where nothing listens (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def redis_db() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture
def env(
    keys: Keys,
    upstreams: dict[str, FakeUpstream],
    clerk: FakeClerk,
    redis_db: redis.Redis,
) -> dict[str, str]:
    """The gateway's environment for a test; tests may change it before calling make_app."""
    for fake in upstreams.values():
        fake.seen.clear()
        fake.respond = None
    clerk.users.clear()
    return {
        "CLERK_JWT_KEY": keys.public_pem,
        "CLERK_SECRET_KEY": CLERK_SECRET,
        "CLERK_API_URL": clerk.url,
        "CLIENT_URL": f"{ORIGIN},https://app.prolearn.test",
        "REDIS_URL": REDIS_URL,
        "RATE_LIMIT_PER_USER": "1000",
        "RATE_LIMIT_PER_IP": "1000",
        **{f"{name.upper()}_URL": fake.url for name, fake in upstreams.items()},
    }


@pytest.fixture
def make_client(env: dict[str, str]) -> MakeApp:
    """make_client(**overrides) → a test client of a fresh gateway app with `env` plus overrides."""

    def make(**overrides: str) -> FlaskClient:
        settings: Settings = load_settings("gateway", env={**env, **overrides})
        return create_app(settings).test_client()

    return make


@pytest.fixture
def client(make_client: MakeApp) -> FlaskClient:
    return make_client()


@pytest.fixture
def bearer(mint: Mint) -> Callable[..., dict[str, str]]:
    """bearer(sub, role=None, **claims) → an Authorization header."""

    def make(sub: str, role: str | None = None, **claims: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint(sub, role, **claims)}"}

    return make
