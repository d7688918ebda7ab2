"""Enrollment web app factory."""

from __future__ import annotations

from flask import Flask

from enrollment import bootstrap
from enrollment.entrypoints import analytics, api, internal, playback
from shared.config import Settings, load_settings
from shared.runtime import Runtime
from shared.web.app import build_app


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or load_settings("enrollment")
    learning = bootstrap.build(Runtime(settings))
    app = build_app(
        settings,
        [api.bp, playback.bp, analytics.bp, internal.bp],
        learning.runtime.readiness_checks(),
        learning.runtime.state_metrics(),
    )
    app.extensions["learning"] = learning
    return app
