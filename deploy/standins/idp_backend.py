"""Clerk Backend API stand-in (`/idp/v1`): JWKS, users and user metadata, behind the secret key."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from standins.clerk_api import clerk_error, has_secret_key, unauthenticated
from standins.config import StandinConfig
from standins.idp_users import METADATA_KINDS, UserStore
from standins.signing_key import KeyRing

DEFAULT_LIST_LIMIT = 10
MAX_LIST_LIMIT = 500


def create_backend_blueprint(config: StandinConfig, keys: KeyRing, users: UserStore) -> Blueprint:
    """The `/v1` blueprint, nested under `/idp`; every route needs `Bearer <CLERK_SECRET_KEY>`."""
    blueprint = Blueprint("clerk_backend", __name__, url_prefix="/v1")

    @blueprint.before_request
    def require_secret_key() -> tuple[Response, int] | None:
        return None if has_secret_key(config) else unauthenticated()

    @blueprint.get("/jwks")
    def jwks() -> Response:
        return jsonify({"keys": [keys.current.public_jwk()]})

    @blueprint.get("/users/<user_id>")
    def get_user(user_id: str) -> Response | tuple[Response, int]:
        user = users.get(user_id)
        return jsonify(user) if user else user_not_found(user_id)

    @blueprint.get("/users")
    def list_users() -> Response | tuple[Response, int]:
        limit = request.args.get("limit", DEFAULT_LIST_LIMIT, type=int)
        offset = request.args.get("offset", 0, type=int)
        if not 1 <= limit <= MAX_LIST_LIMIT or offset < 0:
            return clerk_error(
                422, "form_param_invalid", "is invalid", "limit must be 1..500, offset >= 0"
            )
        return jsonify(users.list(request.args.getlist("user_id"), limit, offset))

    @blueprint.patch("/users/<user_id>/metadata")
    def merge_metadata(user_id: str) -> Response | tuple[Response, int]:
        return update_metadata(user_id, merge=True)

    @blueprint.put("/users/<user_id>/metadata")
    def replace_metadata(user_id: str) -> Response | tuple[Response, int]:
        return update_metadata(user_id, merge=False)

    def update_metadata(user_id: str, *, merge: bool) -> Response | tuple[Response, int]:
        body = request.get_json(silent=True)
        changes = _metadata_changes(body)
        if changes is None:
            return clerk_error(
                422,
                "form_param_invalid",
                "is invalid",
                "public_metadata, private_metadata and unsafe_metadata must be JSON objects",
            )
        user = users.update_metadata(user_id, changes, merge=merge)
        return jsonify(user) if user else user_not_found(user_id)

    return blueprint


def user_not_found(user_id: str) -> tuple[Response, int]:
    """Clerk's 404 for an unknown user id."""
    return clerk_error(
        404, "resource_not_found", "not found", f"No user was found with id {user_id}"
    )


def _metadata_changes(body: Any) -> dict[str, dict[str, Any] | None] | None:
    """The supplied metadata kinds, or None if the body is not a valid metadata update."""
    if not isinstance(body, dict):
        return None
    changes = {kind: body[kind] for kind in METADATA_KINDS if kind in body}
    if any(value is not None and not isinstance(value, dict) for value in changes.values()):
        return None
    return changes
