"""Billing web app factory."""

from __future__ import annotations

from flask import Flask

from billing import bootstrap
from billing.entrypoints import api
from shared.config import Settings, load_settings
from shared.runtime import Runtime
from shared.web.app import build_app


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or load_settings("billing")
    billing = bootstrap.build(Runtime(settings))
    app = build_app(
        settings,
        [api.bp],
        billing.runtime.readiness_checks(),
        billing.runtime.state_metrics(),
    )
    app.extensions["billing"] = billing
    return app
