"""Clerk Backend API conventions: secret-key authentication, the error body, object shapes."""

from __future__ import annotations

import hmac
from typing import Any

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


def identification(
    kind: str, ident_id: str, value: str, strategy: str, created_at: int, updated_at: int
) -> dict[str, Any]:
    """An `email_address` or `phone_number` object, verified by a one-time code."""
    return {
        "id": ident_id,
        "object": kind,
        kind: value,
        "reserved": False,
        "verification": {
            "object": "verification_otp",
            "status": "verified",
            "strategy": strategy,
            "attempts": 1,
            "expire_at": None,
        },
        "linked_to": [],
        "created_at": created_at,
        "updated_at": updated_at,
    }


def dormant_user_fields() -> dict[str, Any]:
    """User fields for features the dev IdP never turns on: SSO, web3, passkeys, MFA, lockout."""
    return {
        "external_id": None,
        "primary_web3_wallet_id": None,
        "web3_wallets": [],
        "passkeys": [],
        "external_accounts": [],
        "saml_accounts": [],
        "enterprise_accounts": [],
        "password_enabled": False,
        "password_last_updated_at": None,
        "two_factor_enabled": False,
        "totp_enabled": False,
        "backup_code_enabled": False,
        "mfa_enabled_at": None,
        "mfa_disabled_at": None,
        "lockout_expires_in_seconds": None,
        "verification_attempts_remaining": None,
        "delete_self_enabled": True,
        "create_organization_enabled": True,
        "create_organizations_limit": None,
        "legal_accepted_at": None,
        "locale": None,
    }
