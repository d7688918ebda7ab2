"""Notifications web app factory (the contact form)."""

from __future__ import annotations

from flask import Flask

from notifications import bootstrap
from notifications.entrypoints import contact
from shared.config import Settings, load_settings
from shared.runtime import Runtime
from shared.web.app import build_app


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or load_settings("notifications")
    notifications = bootstrap.build(Runtime(settings))
    app = build_app(
        settings,
        [contact.bp],
        notifications.runtime.readiness_checks(),
        notifications.runtime.state_metrics(),
    )
    app.extensions["notifications"] = notifications
    return app
