"""Fixtures: RS256 tokens, fake upstreams and a fake Clerk served over real HTTP, Redis DB 9."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import jwt
import pytest
import redis
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, Response, jsonify, request
from flask.testing import FlaskClient
from werkzeug.serving import BaseWSGIServer, make_server

from gateway.app import create_app
from shared.config import Settings, load_settings

REDIS_URL = "redis://127.0.0.1:6379/9"
ORIGIN = "http://localhost:3000"
CLERK_SECRET = "sk_test_gateway"
SERVICES = ("catalog", "billing", "enrollment", "mentorship", "chat")


def _serve(app: Flask) -> tuple[BaseWSGIServer, str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


@dataclass(frozen=True)
class Seen:
    """One request an upstream received: method, path, query, headers and the exact body bytes."""

    method: str
    path: str
    query: bytes
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeUpstream:
    """Records every request; answers with `respond` if set, else echoes {service, method, path}."""

    name: str
    url: str = ""
    seen: list[Seen] = field(default_factory=list)
    respond: Callable[[], Response] | None = None

    def app(self) -> Flask:
        app = Flask(f"fake_{self.name}")

        @app.get("/health")
        def health() -> Response:
            return jsonify({"status": "ok"})

        @app.route("/<path:_path>", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
        def anything(_path: str) -> Response:
            self.seen.append(
                Seen(
                    request.method,
                    request.path,
                    request.query_string,
                    dict(request.headers),
                    request.get_data(),
                )
            )
            if self.respond is not None:
                return self.respond()
            data = {"service": self.name, "method": request.method, "path": request.path}
            return jsonify({"message": "ok", "data": data})

        return app

    @property
    def last(self) -> Seen:
        return self.seen[-1]


@dataclass
class FakeClerk:
    """Clerk's Backend API for users: GET a user, PATCH its metadata (deep merge, null removes)."""

    url: str = ""
    users: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, user_id: str, public_metadata: dict[str, Any] | None = None) -> None:
        self.users[user_id] = {
            "id": user_id,
            "first_name": "Asha",
            "last_name": "Rao",
            "primary_email_address_id": "idn_1",
            "email_addresses": [{"id": "idn_1", "email_address": f"{user_id}@example.com"}],
            "public_metadata": public_metadata or {},
        }

    def app(self) -> Flask:
        app = Flask("fake_clerk")

        @app.before_request
        def _secret_key() -> Response | None:
            if request.headers.get("Authorization") != f"Bearer {CLERK_SECRET}":
                return Response(status=401)
            return None

        @app.get("/users/<user_id>")
        def get_user(user_id: str) -> Response:
            if user_id not in self.users:
                return Response(status=404)
            return jsonify(self.users[user_id])

        @app.patch("/users/<user_id>/metadata")
        def merge(user_id: str) -> Response:
            user = self.users[user_id]
            _deep_merge(user["public_metadata"], request.get_json()["public_metadata"])
            return jsonify(user)

        return app


def _deep_merge(target: dict[str, Any], patch: dict[str, Any]) -> None:
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            _deep_merge(target[key], value)
        else:
            target[key] = value


@dataclass(frozen=True)
class Keys:
    private: rsa.RSAPrivateKey
    public_pem: str


@pytest.fixture(scope="session")
def keys() -> Keys:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return Keys(private, pem.decode())


Mint = Callable[..., str]


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
        server, fake.url = _serve(fake.app())
        servers.append(server)
    yield fakes
    for server in servers:
        server.shutdown()


@pytest.fixture(scope="session")
def clerk() -> Iterator[FakeClerk]:
    fake = FakeClerk()
    server, fake.url = _serve(fake.app())
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


MakeApp = Callable[..., FlaskClient]


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
