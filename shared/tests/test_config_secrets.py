"""Each service holds only its own secrets (SERVICE_SECRETS): production requires exactly those,
and a secret a service does not use is not in its settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Blueprint, jsonify

from shared.auth.access import require_internal
from shared.config import (
    OPTIONAL_SECRETS,
    PRODUCTION_SECRETS,
    SERVICE_PORTS,
    SERVICE_SECRETS,
    ConfigurationError,
    Settings,
    held_secret,
    load_settings,
)
from shared.web.app import build_app

SECRET_FIELDS: dict[str, Callable[[Settings], str | None]] = {
    "INTERNAL_API_TOKEN": lambda s: s.internal_api_token,
    "CLERK_SECRET_KEY": lambda s: s.clerk.secret_key,
    "CASHFREE_CLIENT_ID": lambda s: s.cashfree.client_id,
    "CASHFREE_CLIENT_SECRET": lambda s: s.cashfree.client_secret,
    "RESEND_API_KEY": lambda s: s.mail.resend_api_key,
    "AGORA_APP_CERTIFICATE": lambda s: s.mentorship.agora_app_certificate,
    "CLOUDFRONT_PRIVATE_KEY": lambda s: s.media.cloudfront_private_key,
}
"""Where the settings carry each secret."""

EVERY_SECRET = {name: f"private-{name.lower()}" for name in SECRET_FIELDS}
REQUIRED = [(s, name) for s, held in SERVICE_SECRETS.items() for name in sorted(held.required)]


def production(service: str, **overrides: str) -> dict[str, str]:
    """A production environment holding exactly the secrets `service` declares."""
    held = {name: EVERY_SECRET[name] for name in SERVICE_SECRETS[service].names}
    return {"PROLEARN_ENV": "production", **held, **overrides}


def carried(settings: Settings) -> dict[str, str | None]:
    return {name: read(settings) for name, read in SECRET_FIELDS.items()}


def test_the_table_names_every_process_and_only_known_secrets() -> None:
    assert set(SECRET_FIELDS) == {*PRODUCTION_SECRETS, *OPTIONAL_SECRETS}
    assert set(SERVICE_SECRETS) == {*SERVICE_PORTS, "provision"}
    for held in SERVICE_SECRETS.values():
        assert held.required <= set(PRODUCTION_SECRETS)
        assert held.optional <= set(OPTIONAL_SECRETS)
    held_by_someone = set().union(*(held.names for held in SERVICE_SECRETS.values()))
    assert held_by_someone == set(SECRET_FIELDS)


def test_chat_starts_in_production_with_only_its_own_secrets() -> None:
    settings = load_settings("chat", production("chat"))
    assert settings.internal_api_token == EVERY_SECRET["INTERNAL_API_TOKEN"]
    assert settings.clerk.secret_key == EVERY_SECRET["CLERK_SECRET_KEY"]
    assert (settings.cashfree.client_id, settings.cashfree.client_secret) == ("", "")
    assert settings.mail.resend_api_key == ""
    assert settings.mentorship.agora_app_certificate is None
    assert settings.media.cloudfront_private_key is None


def test_billing_refuses_without_the_cashfree_secret_and_names_it() -> None:
    env = production("billing")
    del env["CASHFREE_CLIENT_SECRET"]
    with pytest.raises(ConfigurationError) as refused:
        load_settings("billing", env)
    message = str(refused.value)
    assert "billing" in message and "CASHFREE_CLIENT_SECRET" in message
    assert not {name for name in SECRET_FIELDS if name in message} - {"CASHFREE_CLIENT_SECRET"}


@pytest.mark.parametrize(("service", "name"), REQUIRED, ids=[f"{s}-{n}" for s, n in REQUIRED])
def test_a_service_refuses_one_of_its_secrets_at_the_local_default_or_unset(
    service: str, name: str
) -> None:
    with pytest.raises(ConfigurationError, match=name):
        load_settings(service, production(service, **{name: PRODUCTION_SECRETS[name]}))
    env = production(service)
    del env[name]
    with pytest.raises(ConfigurationError, match=name):
        load_settings(service, env)


@pytest.mark.parametrize("service", SERVICE_SECRETS)
def test_a_service_carries_its_own_secrets_and_no_other_even_when_given_all(
    service: str,
) -> None:
    held = SERVICE_SECRETS[service]
    expected = {
        name: EVERY_SECRET[name]
        if name in held.names
        else (None if name in OPTIONAL_SECRETS else "")
        for name in SECRET_FIELDS
    }
    assert carried(load_settings(service, production(service))) == expected
    given_all = {"PROLEARN_ENV": "production", **EVERY_SECRET}
    assert carried(load_settings(service, given_all)) == expected


@pytest.mark.parametrize("service", SERVICE_SECRETS)
def test_locally_a_service_holds_the_public_defaults_of_its_own_secrets(service: str) -> None:
    held = SERVICE_SECRETS[service]
    local = carried(load_settings(service, {}))
    for name, default in PRODUCTION_SECRETS.items():
        assert local[name] == (default if name in held.required else ""), name


def test_an_unknown_service_is_refused_in_production_and_holds_nothing_locally() -> None:
    with pytest.raises(ConfigurationError, match="unknown service 'chats'"):
        load_settings("chats", {"PROLEARN_ENV": "production", **EVERY_SECRET})
    assert set(carried(load_settings("chats", EVERY_SECRET)).values()) <= {"", None}


def test_provision_needs_no_secret() -> None:
    settings = load_settings("provision", {"PROLEARN_ENV": "production"})
    assert set(carried(settings).values()) <= {"", None}


BACKEND_JWKS = {
    "CLERK_API_URL": "https://api.clerk.com/v1",
    "CLERK_JWKS_URL": "https://api.clerk.com/v1/jwks",
}


def test_a_service_without_the_clerk_key_refuses_a_jwks_that_needs_it() -> None:
    with pytest.raises(ConfigurationError, match="enrollment holds no CLERK_SECRET_KEY"):
        load_settings("enrollment", production("enrollment", **BACKEND_JWKS))
    with_pem = production("enrollment", **BACKEND_JWKS, CLERK_JWT_KEY="-----BEGIN PUBLIC KEY-----")
    assert load_settings("enrollment", with_pem).clerk.secret_key == ""
    gateway = load_settings("gateway", production("gateway", **BACKEND_JWKS))
    assert gateway.clerk.jwks_needs_secret_key


def test_an_adapter_refuses_a_secret_its_process_was_not_given() -> None:
    assert held_secret("sk_live", "CLERK_SECRET_KEY") == "sk_live"
    with pytest.raises(ConfigurationError, match="holds no CLERK_SECRET_KEY"):
        held_secret("", "CLERK_SECRET_KEY")


@pytest.mark.parametrize(
    ("service", "headers", "status"),
    [
        ("chat", {"X-Internal-Token": EVERY_SECRET["INTERNAL_API_TOKEN"]}, 200),
        ("chat", {"X-Internal-Token": "guess"}, 401),
        ("gateway", {}, 401),
        ("gateway", {"X-Internal-Token": ""}, 401),
    ],
)
def test_internal_routes_refuse_every_caller_where_no_token_is_held(
    service: str, headers: dict[str, str], status: int
) -> None:
    """gateway holds no INTERNAL_API_TOKEN: its "" must not match an absent or empty header."""
    bp = Blueprint("internal", __name__)

    @bp.get("/internal/ping")
    @require_internal
    def ping() -> Any:
        return jsonify({"pong": True})

    settings = load_settings(service, production(service))
    client = build_app(settings, [bp], {}).test_client()
    assert client.get("/internal/ping", headers=headers).status_code == status
