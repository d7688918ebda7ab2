"""The one Flask app factory shape every service uses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask import Blueprint, Flask

from shared.config import Settings
from shared.logs import configure_logging
from shared.web.errors import install_error_handlers
from shared.web.health import ReadinessCheck, health_blueprint
from shared.web.requests_context import install_request_context


def build_app(
    settings: Settings,
    blueprints: Iterable[Blueprint],
    readiness: Mapping[str, ReadinessCheck],
) -> Flask:
    """A Flask app with JSON errors, request ids, health/ready and the given blueprints."""
    configure_logging(settings.service, settings.log_level)
    app = Flask(settings.service, static_folder=None)
    app.config["SETTINGS"] = settings
    app.json.sort_keys = False  # type: ignore[attr-defined]
    install_request_context(app)
    install_error_handlers(app)
    app.register_blueprint(health_blueprint(readiness))
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    return app
