"""The error envelope every service builds is the shape shared/api/common.py's Error documents,
and health and readiness answer shared/api/operations.py's models."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from shared.api.common import Error, ErrorDetail
from shared.web.app import ServiceApp
from shared.web.errors import error_response
from shared.web.health import health_blueprint


@pytest.mark.parametrize(
    ("message", "details"),
    [
        ("Bad.", None),
        ("Formulaire invalide — ✓", {"a.b": "required", "ç": ["x", 1, None]}),
        ("", ["listed"]),
    ],
)
def test_the_error_envelope_is_the_documented_one(message: str, details: Any) -> None:
    with ServiceApp("errors").app_context():
        body = error_response(400, "validation_error", message, details).get_json()
    documented = Error(message=message, error=ErrorDetail(code="validation_error", details=details))
    assert body == documented.wire()
    assert list(body) == list(Error.model_fields) == ["message", "error"]
    assert list(body["error"]) == list(ErrorDetail.model_fields) == ["code", "details"]


def failing() -> None:
    raise RuntimeError("down")


def app(**checks: Any) -> Flask:
    built = ServiceApp("health")
    built.register_blueprint(health_blueprint(checks))
    return built


def test_health_is_ok_whatever_the_dependencies() -> None:
    response = app(redis=failing).test_client().get("/health")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


def test_readiness_reports_each_check_in_order() -> None:
    response = app(redis=lambda: None, dynamodb=lambda: None).test_client().get("/ready")
    assert response.status_code == 200
    assert list(response.get_json().items()) == [
        ("status", "ready"),
        ("checks", {"redis": "ok", "dynamodb": "ok"}),
    ]
    assert list(response.get_json()["checks"]) == ["redis", "dynamodb"]


def test_one_failing_check_makes_the_service_not_ready() -> None:
    response = app(redis=lambda: None, sqs=failing).test_client().get("/ready")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "not_ready",
        "checks": {"redis": "ok", "sqs": "failing"},
    }


def test_no_checks_is_ready() -> None:
    response = app().test_client().get("/ready")
    assert (response.status_code, response.get_json()) == (200, {"status": "ready", "checks": {}})
