"""The declared route table: every route reachable, nothing else routed, /internal/ never."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from gateway_fakes import FakeClerk, FakeUpstream, MakeApp

from gateway.app import create_app
from gateway.routes import ROUTES, Auth, Route
from shared.config import load_settings
from shared.web.ids import is_id_name

ROLE_FOR = {Auth.STUDENT: "student", Auth.TEACHER: "teacher", Auth.NO_ROLE_OK: None}
BODIES = {
    "POST /users/onboarding": {"userType": "student"},
    "PUT /user/clerk/<userId>": {
        "publicMetadata": {
            "settings": {
                "courseNotifications": True,
                "emailAlerts": False,
                "smsAlerts": False,
                "notificationFrequency": "daily",
            }
        }
    },
}


def concrete(route: Route, user_id: str) -> str:
    return re.sub(
        r"<([A-Za-z]+)>",
        lambda m: user_id if m.group(1) == "userId" else f"{m.group(1)}-1",
        route.path,
    )


def test_the_table_declares_each_route_once_and_none_internal() -> None:
    endpoints = [route.endpoint for route in ROUTES]
    assert len(endpoints) == len(set(endpoints))
    assert not [route for route in ROUTES if route.path.startswith("/internal")]


def test_every_path_parameter_is_named_as_an_id_so_the_edge_checks_it() -> None:
    """shared.web.ids answers 404 for a malformed `…Id` before anything is forwarded."""
    assert all(is_id_name(name) for route in ROUTES for name in route.params)


def test_a_self_param_must_be_a_signed_in_path_parameter() -> None:
    with pytest.raises(ValueError, match="self_param"):
        Route("GET", "/x/<userId>", Auth.PUBLIC, "catalog", "x", self_param="userId")
    with pytest.raises(ValueError, match="self_param"):
        Route("GET", "/x", Auth.SIGNED_IN, "catalog", "x", self_param="userId")
    with pytest.raises(ValueError, match="upstream"):
        Route("GET", "/x", Auth.PUBLIC, "nowhere", "x")


HTTP_ROUTES = [route for route in ROUTES if not route.websocket]  # see test_websocket_tunnel.py


@pytest.mark.parametrize("route", HTTP_ROUTES, ids=lambda route: route.endpoint)
def test_every_declared_route_is_reachable(
    route: Route,
    client: FlaskClient,
    upstreams: dict[str, FakeUpstream],
    clerk: FakeClerk,
    bearer: Callable[..., dict[str, str]],
) -> None:
    clerk.add("user_1")
    headers = bearer("user_1", ROLE_FOR.get(route.auth, "student"))
    path = concrete(route, "user_1")
    response = client.open(
        path, method=route.method, headers=headers, json=BODIES.get(route.endpoint)
    )
    assert response.status_code == 200, response.get_json()
    if route.upstream != "gateway":
        seen = upstreams[route.upstream].last
        assert (seen.method, seen.path) == (route.method, path)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/nope"),
        ("GET", "/courses/"),
        ("GET", "//courses"),
        ("GET", "/api/payments/nothing-here"),
        ("GET", "/users/course-progress/user_1"),
    ],
)
def test_anything_undeclared_is_a_json_404(client: FlaskClient, method: str, path: str) -> None:
    response = client.open(path, method=method)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", ["/courses/..", "/courses/.", "/courses/%2E%2E"])
def test_dot_segments_are_404_and_never_forwarded(
    client: FlaskClient, upstreams: dict[str, FakeUpstream], path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert upstreams["catalog"].seen == []


def test_a_declared_path_with_another_method_is_a_json_405(client: FlaskClient) -> None:
    response = client.patch("/courses")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_a_405_names_the_allowed_methods(client: FlaskClient) -> None:
    response = client.open("/courses", method="TRACE")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}


@pytest.mark.parametrize(
    "path", ["/internal/prices/c1", "//internal/prices/c1", "/Internal/prices/c1"]
)
def test_internal_paths_are_never_routed_even_when_declared(
    env: dict[str, str], upstreams: dict[str, FakeUpstream], path: str
) -> None:
    leaked = Route("GET", "/internal/prices/<courseId>", Auth.PUBLIC, "catalog", "oops")
    app = create_app(load_settings("gateway", env=env), routes=(*ROUTES, leaked))
    for method in ("GET", "OPTIONS"):
        response = app.test_client().open(path, method=method, headers={"Origin": "x"})
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"
    assert upstreams["catalog"].seen == []


def test_health_and_ready(client: FlaskClient) -> None:
    assert client.get("/health").get_json() == {"status": "ok"}
    ready = client.get("/ready").get_json()
    assert ready == {"status": "ready", "checks": {"redis": "ok"}}


def test_an_upstream_outage_does_not_take_the_gateway_out(
    make_client: MakeApp, dead_url: str
) -> None:
    client = make_client(BILLING_URL=dead_url)
    assert client.get("/ready").status_code == 200
    response = client.get("/api/payments/transactions/someone")
    assert response.status_code in (401, 503)
