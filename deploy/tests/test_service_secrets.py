"""SERVICE_SECRETS matches what the code reads: each service's web app, worker handlers and relay
jobs wire up in production with only its declared secrets, and not without one of them.

The adapters refuse a secret their process was not given (`held_secret`) when they are built,
and a service serving /internal/ checks INTERNAL_API_TOKEN; nothing here reaches the network."""

from __future__ import annotations

import importlib
import importlib.util

import pytest
from deploy_manifests import CREDENTIALS, SERVICES
from flask import Flask

from shared.config import (
    OPTIONAL_SECRETS,
    PRODUCTION_SECRETS,
    SERVICE_SECRETS,
    ConfigurationError,
    ServiceSecrets,
    load_settings,
)
from shared.messaging.periodic import service_jobs
from shared.runtime import Runtime

UNREACHABLE = {
    "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    "REDIS_URL": "redis://127.0.0.1:9/0",
}
"""Nothing may be reached while wiring: the discard port answers no one."""


def wire(service: str) -> Flask:
    """Build what `web`, `worker` and `relay` build for `service`, in production, given only
    the secrets SERVICE_SECRETS declares for it."""
    secrets = {name: f"private-{name.lower()}" for name in SERVICE_SECRETS[service].names}
    settings = load_settings(service, {"PROLEARN_ENV": "production", **UNREACHABLE, **secrets})
    app: Flask = importlib.import_module(f"{service}.app").create_app(settings)
    if importlib.util.find_spec(f"{service}.worker") is not None:
        importlib.import_module(f"{service}.bootstrap").event_handlers(Runtime(settings))
    service_jobs(service, Runtime(settings))
    return app


def serves_internal_routes(app: Flask) -> bool:
    return any(rule.rule.startswith("/internal/") for rule in app.url_map.iter_rules())


def test_every_secret_belongs_to_one_credential() -> None:
    assert set().union(*CREDENTIALS.values()) == {*PRODUCTION_SECRETS, *OPTIONAL_SECRETS}


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_wires_up_with_only_its_declared_secrets(service: str) -> None:
    app = wire(service)
    if serves_internal_routes(app):
        assert "INTERNAL_API_TOKEN" in SERVICE_SECRETS[service].required


def needs(service: str, name: str) -> bool:
    """Whether `service`, wired without `name`, shows it needs it: an adapter refuses to be
    built, or (the internal token) the service serves /internal/ routes, which check it."""
    try:
        app = wire(service)
    except ConfigurationError as refused:
        return name in str(refused)
    return name == "INTERNAL_API_TOKEN" and serves_internal_routes(app)


REQUIRED = [(s, name) for s in SERVICES for name in sorted(SERVICE_SECRETS[s].required)]


@pytest.mark.parametrize(("service", "name"), REQUIRED, ids=[f"{s}-{n}" for s, n in REQUIRED])
def test_each_declared_secret_is_needed(
    service: str, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = SERVICE_SECRETS[service]
    withdrawn = ServiceSecrets(held.required - {name}, held.optional)
    monkeypatch.setitem(SERVICE_SECRETS, service, withdrawn)
    assert needs(service, name)
