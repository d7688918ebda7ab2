"""The one Flask app factory shape every service uses."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from inspect import CO_COROUTINE
from types import FunctionType
from typing import Any

from flask import Blueprint, Flask
from prometheus_client.registry import Collector

from shared.config import Settings
from shared.logs import configure_logging
from shared.metrics.http import install_http_metrics
from shared.web.errors import install_error_handlers, translate_errors
from shared.web.health import ReadinessCheck, health_blueprint
from shared.web.ids import install_id_check
from shared.web.json_provider import BoundedJSONProvider
from shared.web.kernel_errors import KERNEL_ERRORS
from shared.web.requests_context import install_request_context

_FLAGS_DECIDE = sys.version_info < (3, 12)
"""Until Python 3.12 (inspect.markcoroutinefunction), a function's code flags alone tell
inspect.iscoroutinefunction whether it is `async def`."""


class ServiceApp(Flask):
    """Flask with JSON that refuses absurd nesting (see BoundedJSONProvider)."""

    json_provider_class = BoundedJSONProvider

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Flask's, with a cheaper answer for a plain `def` function: Flask asks this of every
        hook and view on every request, and inspect's general check costs more than most."""
        return func if _plain_def(func) else super().ensure_sync(func)


def _plain_def(func: object) -> bool:
    """A plain `def` function, told from its code flags as inspect.iscoroutinefunction would;
    anything else (async, partial, method, callable object) gets Flask's own check."""
    return (
        _FLAGS_DECIDE and type(func) is FunctionType and not func.__code__.co_flags & CO_COROUTINE
    )


def build_app(
    settings: Settings,
    blueprints: Iterable[Blueprint],
    readiness: Mapping[str, ReadinessCheck],
    state: Sequence[Collector] = (),
) -> Flask:
    """A Flask app with JSON errors (the kernel's domain errors among them), request ids and
    access log, path ids checked (404), health/ready, GET /metrics (request counts and
    latency, then the `state` gauges read at scrape) and the blueprints."""
    configure_logging(settings.service, settings.log_level)
    app = ServiceApp(settings.service, static_folder=None)
    app.config["SETTINGS"] = settings
    install_request_context(app)
    install_http_metrics(app, settings.service, state)
    install_error_handlers(app)
    translate_errors(app, KERNEL_ERRORS)
    install_id_check(app)
    app.register_blueprint(health_blueprint(readiness))
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    return app
