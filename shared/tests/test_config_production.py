"""Production refuses the public local defaults and talks to AWS itself."""

from __future__ import annotations

import pytest

from shared.config import PRODUCTION_SECRETS, ConfigurationError, load_settings

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
