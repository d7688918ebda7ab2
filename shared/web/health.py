"""GET /health (process up) and GET /ready (dependencies answer)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from flask import Blueprint, Response, jsonify

from shared.api.operations import CheckResult, Health, Readiness

log = logging.getLogger(__name__)

ReadinessCheck = Callable[[], None]


def health_blueprint(checks: Mapping[str, ReadinessCheck]) -> Blueprint:
    """Liveness answers at once; readiness runs every check and reports each."""
    bp = Blueprint("health", __name__)
    alive = Health(status="ok").wire()

    @bp.get("/health")
    def health() -> Response:
        return jsonify(alive)

    @bp.get("/ready")
    def ready() -> Response:
        results: dict[str, CheckResult] = {}
        for name, check in checks.items():
            try:
                check()
                results[name] = "ok"
            except Exception as exc:
                log.warning("readiness check failed", extra={"check": name, "error": str(exc)})
                results[name] = "failing"
        healthy = all(v == "ok" for v in results.values())
        readiness = Readiness(status="ready" if healthy else "not_ready", checks=results)
        response = jsonify(readiness.wire())
        response.status_code = 200 if healthy else 503
        return response

    return bp
