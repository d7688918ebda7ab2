"""Dev identity provider shaped like Clerk: JWKS, dev session tokens, and dev user records."""

from __future__ import annotations

import secrets
import time
from typing import Any

import jwt
from flask import Blueprint, Response, jsonify, request

from standins.clerk_api import clerk_error
from standins.config import StandinConfig
from standins.idp_backend import create_backend_blueprint
from standins.idp_keys import create_keys_blueprint
from standins.idp_users import UserStore
from standins.ids import random_alphanumeric
from standins.signing_key import KeyRing

ROLES = ("student", "teacher")
DEFAULT_TOKEN_TTL_SECONDS = 3600


def create_idp_blueprint(config: StandinConfig, keys: KeyRing, users: UserStore) -> Blueprint:
    """The `/idp` blueprint: public JWKS, dev token and user endpoints, Backend API under `/v1`."""
    blueprint = Blueprint("idp", __name__, url_prefix="/idp")

    @blueprint.post("/dev/token")
    def mint_token() -> Response | tuple[Response, int]:
        body = request.get_json(silent=True)
        problem = _token_request_problem(body)
        if problem:
            return clerk_error(400, "form_param_invalid", "is invalid", problem)
        assert isinstance(body, dict)
        user = users.upsert(
            body["sub"], name=body.get("name"), email=body.get("email"), only_if_missing=True
        )
        role = body.get("role") or user["public_metadata"].get("userType")
        claims = _session_claims(config, body, role)
        signing_key = keys.current
        token = jwt.encode(claims, signing_key.private_key, "RS256", {"kid": signing_key.kid})
        return jsonify({"token": token})

    @blueprint.post("/dev/users")
    def upsert_user() -> Response | tuple[Response, int]:
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not _is_nonempty_str(body.get("sub")):
            return clerk_error(400, "form_param_invalid", "is invalid", "sub must be a string")
        name, email, phone = (body.get(key) for key in ("name", "email", "phone"))
        if any(value is not None and not isinstance(value, str) for value in (name, email, phone)):
            return clerk_error(
                400, "form_param_invalid", "is invalid", "name, email, phone must be strings"
            )
        return jsonify(users.upsert(body["sub"], name=name, email=email, phone=phone))

    blueprint.register_blueprint(create_keys_blueprint(keys))
    blueprint.register_blueprint(create_backend_blueprint(config, keys, users))
    return blueprint


def _token_request_problem(body: Any) -> str | None:
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    if not _is_nonempty_str(body.get("sub")):
        return "sub must be a non-empty string"
    if body.get("role") is not None and body["role"] not in ROLES:
        return "role must be one of student, teacher"
    for name in ("name", "email", "azp"):
        if body.get(name) is not None and not isinstance(body[name], str):
            return f"{name} must be a string"
    for name in ("ttlSeconds", "nbfOffsetSeconds"):
        value = body.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            return f"{name} must be an integer"
    return None


def _session_claims(
    config: StandinConfig, body: dict[str, Any], role: str | None
) -> dict[str, Any]:
    """Clerk v2 session-token claims, plus the ProLearn template's `userType`."""
    issued_at = int(time.time())
    ttl = body.get("ttlSeconds")
    nbf_offset = body.get("nbfOffsetSeconds") or 0
    azp = config.default_azp if body.get("azp") is None else body["azp"]
    claims: dict[str, Any] = {
        "sub": body["sub"],
        "sid": "sess_" + random_alphanumeric(27),
        "iss": config.idp_issuer,
        "iat": issued_at,
        "nbf": issued_at + nbf_offset,
        "exp": issued_at + (DEFAULT_TOKEN_TTL_SECONDS if ttl is None else ttl),
        "v": 2,
        "fva": [0, -1],
        "jti": secrets.token_hex(10),
    }
    if azp:
        claims["azp"] = azp
    if role:
        claims["userType"] = role
    return claims


def _is_nonempty_str(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())
