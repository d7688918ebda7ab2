"""Typed configuration of the stand-in process, read from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class StandinConfig:
    """Everything the stand-ins need; every field has a working local default."""

    public_url: str = "http://127.0.0.1:8090"
    client_urls: tuple[str, ...] = ("http://localhost:3000",)
    clerk_secret_key: str = "sk_test_prolearn_local"  # noqa: S105 (local dev default)
    idp_private_key_file: str | None = None
    cashfree_client_id: str = "TEST_PROLEARN_CLIENT"
    cashfree_client_secret: str = "TEST_PROLEARN_SECRET"  # noqa: S105 (local dev default)
    cashfree_webhook_url: str = "http://127.0.0.1:8080/api/payments/webhook"
    cashfree_retry_seconds: tuple[float, ...] = (2.0, 10.0, 30.0)
    cashfree_webhook_version: str = "2023-08-01"
    resend_api_key: str = "re_test_local"

    @property
    def idp_issuer(self) -> str:
        """The `iss` of every token the dev identity provider mints."""
        return self.public_url.rstrip("/") + "/idp"

    @property
    def default_azp(self) -> str:
        """The `azp` claim used when a token request names none."""
        return self.client_urls[0]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> StandinConfig:
        """Build the configuration from environment variables, falling back to the defaults."""
        defaults = cls()
        return cls(
            public_url=environ.get("STANDINS_PUBLIC_URL", defaults.public_url),
            client_urls=_split_list(environ.get("CLIENT_URL")) or defaults.client_urls,
            clerk_secret_key=environ.get("CLERK_SECRET_KEY", defaults.clerk_secret_key),
            idp_private_key_file=environ.get("IDP_PRIVATE_KEY_FILE") or None,
            cashfree_client_id=environ.get("CASHFREE_CLIENT_ID", defaults.cashfree_client_id),
            cashfree_client_secret=environ.get(
                "CASHFREE_CLIENT_SECRET", defaults.cashfree_client_secret
            ),
            cashfree_webhook_url=environ.get("CASHFREE_WEBHOOK_URL", defaults.cashfree_webhook_url),
            cashfree_retry_seconds=tuple(
                float(seconds) for seconds in _split_list(environ.get("CASHFREE_SIM_RETRY_SECONDS"))
            )
            or defaults.cashfree_retry_seconds,
            cashfree_webhook_version=environ.get(
                "CASHFREE_WEBHOOK_VERSION", defaults.cashfree_webhook_version
            ),
            resend_api_key=environ.get("RESEND_API_KEY", defaults.resend_api_key),
        )


def _split_list(value: str | None) -> tuple[str, ...]:
    """Split a comma-separated variable into its non-empty, trimmed items."""
    if not value:
        return ()
    return tuple(item.strip() for item in value.split(",") if item.strip())
