"""Production refuses missing or public secrets and talks to AWS itself; key-cache bounds."""

from __future__ import annotations

import pytest

from shared.config import PRODUCTION_SECRETS, SERVICE_SECRETS, ConfigurationError, load_settings

SECRETS = {name: f"real-{name.lower()}" for name in PRODUCTION_SECRETS}


def test_production_without_its_secrets_does_not_start() -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_settings("billing", {"PROLEARN_ENV": "production", "INTERNAL_API_TOKEN": "x"})
    assert "CASHFREE_CLIENT_SECRET" in str(caught.value)
    assert "INTERNAL_API_TOKEN" not in str(caught.value)


def test_production_reaches_aws_itself_and_local_reaches_the_emulator() -> None:
    production = load_settings("billing", {"PROLEARN_ENV": "production", **SECRETS})
    assert production.aws.endpoint_url is None
    assert production.internal_api_token == "real-internal_api_token"
    assert load_settings("billing", {}).aws.endpoint_url == "http://127.0.0.1:5055"
    assert load_settings("billing", {"AWS_ENDPOINT_URL": ""}).aws.endpoint_url is None


@pytest.mark.parametrize("name", sorted(SERVICE_SECRETS["billing"].required))
def test_production_refuses_a_secret_set_to_its_public_default(name: str) -> None:
    env = {"PROLEARN_ENV": "production", **SECRETS, name: PRODUCTION_SECRETS[name]}
    with pytest.raises(ConfigurationError, match=name):
        load_settings("billing", env)


def test_the_signing_key_cache_is_bounded_and_configurable() -> None:
    default = load_settings("gateway", {}).clerk
    assert (default.jwks_cache_seconds, default.jwks_refetch_seconds) == (300, 10)
    clerk = load_settings(
        "gateway", {"CLERK_JWKS_CACHE_SECONDS": "60", "CLERK_JWKS_REFETCH_SECONDS": "5"}
    ).clerk
    assert (clerk.jwks_cache_seconds, clerk.jwks_refetch_seconds) == (60, 5)
    with pytest.raises(ValueError, match="jwks_cache_seconds"):
        load_settings("gateway", {"CLERK_JWKS_CACHE_SECONDS": "0"})
