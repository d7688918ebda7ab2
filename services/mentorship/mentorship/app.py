"""Mentorship web app factory."""

from __future__ import annotations

from flask import Flask

from mentorship import bootstrap
from mentorship.entrypoints import api
from shared.config import Settings, load_settings
from shared.runtime import Runtime
from shared.web.app import build_app


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or load_settings("mentorship")
    mentorship = bootstrap.build(Runtime(settings))
    app = build_app(
        settings,
        [api.bp],
        mentorship.runtime.readiness_checks(),
        mentorship.runtime.state_metrics(),
    )
    app.extensions["mentorship"] = mentorship
    return app
