"""The OpenAPI document: valid OpenAPI 3.1, generated from the route table, served with a page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from gateway_fakes import FakeClerk
from openapi_spec_validator import validate

from gateway.app import create_app
from gateway.openapi import (
    SERVED_BY_EVERY_SERVICE,
    UNDOCUMENTED,
    build_document,
    openapi_path,
    operation_key,
)
from gateway.routes import ROUTES, Auth, Route
from shared.api import OPERATIONS
from shared.config import load_settings

METHODS = ("get", "put", "post", "delete", "patch")


def operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        f"{method.upper()} {path}": operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


@pytest.fixture
def document(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    served: dict[str, Any] = response.get_json()
    return served


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    validate(document)
    assert document["openapi"].startswith("3.1")


def test_every_route_is_an_operation_and_every_operation_a_route(
    document: dict[str, Any],
) -> None:
    documented = set(operations(document))
    routes = {operation_key(route.method, route.path) for route in ROUTES}
    assert routes <= documented
    assert documented - routes == set(SERVED_BY_EVERY_SERVICE) & documented
    assert {"GET /health", "GET /ready"} <= documented


def test_everything_the_app_serves_is_documented(env: dict[str, str]) -> None:
    app = create_app(load_settings("gateway", env=env))
    served = {
        operation_key(method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }
    assert served == set(operations(app.test_client().get("/openapi.json").get_json()))


def test_every_route_has_a_spec_and_every_spec_a_route() -> None:
    routes = {operation_key(route.method, route.path) for route in ROUTES}
    assert routes - set(OPERATIONS) == set()
    assert set(OPERATIONS) - routes == set(SERVED_BY_EVERY_SERVICE)
    undocumented = [
        key
        for key, operation in operations(build_document(ROUTES)).items()
        if "default" in operation["responses"]
    ]
    assert undocumented == []


def test_a_route_without_a_spec_is_marked_undocumented() -> None:
    extra = Route("GET", "/new/<thingId>", Auth.PUBLIC, "catalog", "Something new")
    operation = operations(build_document((extra,)))["GET /new/{thingId}"]
    assert operation["responses"]["default"] == {"description": UNDOCUMENTED}
    assert operation["summary"] == "Something new"


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.endpoint)
def test_each_operation_follows_its_route(route: Route, document: dict[str, Any]) -> None:
    operation = document["paths"][openapi_path(route.path)][route.method.lower()]
    responses = operation["responses"]
    in_path = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
    assert in_path == set(route.params)
    assert operation["summary"] == route.summary
    if route.auth is Auth.PUBLIC:
        assert operation["security"] == []
    elif route.auth is Auth.OPTIONAL:
        assert operation["security"] == [{}, {"bearerAuth": []}]
        assert "401" in responses
    else:
        assert operation["security"] == [{"bearerAuth": []}]
        assert "401" in responses
    if route.auth in (Auth.STUDENT, Auth.TEACHER):
        assert "wrong_role" in responses["403"]["description"]
    if route.self_param:
        assert "not_self" in responses["403"]["description"]
    if route.params:
        assert "404" in responses
    if route.method in ("POST", "PUT", "PATCH") and "requestBody" in operation:
        assert "413" in responses
    assert ("429" in responses) == (route.rate_limited or route.ip_budget is not None)
    assert ("502" in responses) == (route.upstream != "gateway")
    if route.method in ("POST", "PUT", "PATCH", "DELETE"):
        assert "Idempotency-Key" in {p["name"] for p in operation["parameters"]}
    assert any(status.startswith(("1", "2")) for status in responses)


def test_limits_come_from_the_table(document: dict[str, Any]) -> None:
    save = document["paths"]["/courses/{courseId}"]["put"]
    assert "6 MiB" in save["responses"]["413"]["description"]
    assert set(save["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    contact = document["paths"]["/api/emails/contact"]["post"]
    assert "32 KiB" in contact["responses"]["413"]["description"]
    assert "`contact` budget" in contact["responses"]["429"]["description"]
    assert "Retry-After" in contact["responses"]["429"]["headers"]
    assert "X-RateLimit-Remaining" in contact["responses"]["200"]["headers"]
    webhook = document["paths"]["/api/payments/webhook"]["post"]
    assert "429" not in webhook["responses"]


def test_every_reference_resolves(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            target = node.get("$ref")
            if isinstance(target, str):
                assert target.removeprefix("#/components/schemas/") in schemas, target
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)


def test_the_docs_page_renders_the_document(client: FlaskClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert 'spec-url="/openapi.json"' in page
    assert 'integrity="sha384-' in page
    policy = response.headers["Content-Security-Policy"]
    assert "script-src https://cdn.jsdelivr.net" in policy
    assert "connect-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"


def test_other_answers_keep_the_strict_policy(
    client: FlaskClient, clerk: FakeClerk, bearer: Callable[..., dict[str, str]]
) -> None:
    clerk.add("u1")
    for response in (client.get("/openapi.json"), client.get("/users/me", headers=bearer("u1"))):
        assert response.headers["Content-Security-Policy"] == (
            "default-src 'none'; frame-ancestors 'none'"
        )
