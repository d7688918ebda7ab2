"""The gateway tests' fakes: upstreams and Clerk served over real HTTP, and shared constants."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, Response, jsonify, request
from flask.testing import FlaskClient
from werkzeug.serving import BaseWSGIServer, make_server

from standins.idp_users import IdpUser

REDIS_URL = "redis://127.0.0.1:6379/9"
ORIGIN = "http://localhost:3000"
CLERK_SECRET = "sk_test_gateway"
SERVICES = ("catalog", "billing", "enrollment", "mentorship", "chat", "notifications")


def serve(app: Flask) -> tuple[BaseWSGIServer, str]:
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
        """A full Clerk User object (the stand-in's), which the official SDK can parse."""
        user = IdpUser(user_id, f"{user_id}@example.com", first_name="Asha", last_name="Rao")
        user.metadata["public_metadata"] = public_metadata or {}
        self.users[user_id] = user.to_clerk()

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


Mint = Callable[..., str]
MakeApp = Callable[..., FlaskClient]
