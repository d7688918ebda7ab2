"""Clerk Backend API conventions: bearer secret-key authentication and the error body."""

from __future__ import annotations

import hmac

from flask import Response, jsonify, request

from standins.config import StandinConfig


def clerk_error(status: int, code: str, message: str, long_message: str) -> tuple[Response, int]:
    """A JSON error response in Clerk's shape `{"errors": [{message, long_message, code}]}`."""
    body = {"errors": [{"message": message, "long_message": long_message, "code": code}]}
    return jsonify(body), status


def has_secret_key(config: StandinConfig) -> bool:
    """True when the request carries `Authorization: Bearer <CLERK_SECRET_KEY>`."""
    presented = request.headers.get("Authorization", "")
    return hmac.compare_digest(presented.encode(), f"Bearer {config.clerk_secret_key}".encode())


def unauthenticated() -> tuple[Response, int]:
    """Clerk's answer to a Backend API call without a valid secret key."""
    return clerk_error(
        401,
        "authentication_invalid",
        "Invalid authentication",
        "Unable to authenticate the request, you need to supply an active key",
    )
