"""The dev identity provider's public keys: the JWKS, a key rotation, and who fetched the JWKS."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from flask import Blueprint, Response, jsonify, request

from standins.signing_key import KeyRing


@dataclass
class JwksFetches:
    """Counts fetches of the public JWKS, and those that carried an Authorization header."""

    count: int = 0
    with_authorization: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, authorized: bool) -> None:
        with self.lock:
            self.count += 1
            self.with_authorization += authorized


def create_keys_blueprint(keys: KeyRing) -> Blueprint:
    """Routes under `/idp`: the Frontend API's JWKS and two test controls (no credentials)."""
    blueprint = Blueprint("idp_keys", __name__)
    fetches = JwksFetches()

    @blueprint.get("/.well-known/jwks.json")
    def public_jwks() -> Response:
        fetches.record("Authorization" in request.headers)
        return jsonify({"keys": [keys.current.public_jwk()]})

    @blueprint.post("/dev/rotate-key")
    def rotate_key() -> Response:
        retired, current = keys.rotate()
        return jsonify({"kid": current.kid, "retiredKid": retired.kid})

    @blueprint.get("/dev/jwks-fetches")
    def jwks_fetches() -> Response:
        with fetches.lock:
            return jsonify(
                {"count": fetches.count, "withAuthorization": fetches.with_authorization}
            )

    return blueprint
