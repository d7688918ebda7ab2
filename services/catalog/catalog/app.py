"""Catalog web app factory."""

from __future__ import annotations

from flask import Flask

from catalog import bootstrap
from catalog.entrypoints import api, internal
from shared.config import Settings, load_settings
from shared.runtime import Runtime
from shared.web.app import build_app


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or load_settings("catalog")
    catalog = bootstrap.build(Runtime(settings))
    app = build_app(
        settings,
        [api.bp, internal.bp],
        catalog.runtime.readiness_checks(),
        catalog.runtime.state_metrics(),
    )
    app.extensions["catalog"] = catalog
    return app
