"""Bodies nested beyond Python's recursion limit are malformed JSON (400), not a 500."""

from __future__ import annotations

from flask import Blueprint, Response, request

from shared.config import load_settings
from shared.web.app import build_app
from shared.web.errors import BadRequest
from shared.web.responses import ok


def test_a_body_nested_too_deep_is_a_400() -> None:
    bp = Blueprint("echo", __name__)

    @bp.post("/echo")
    def echo() -> Response:
        body = request.get_json(silent=True)
        if body is None:
            raise BadRequest("The body must be JSON.", code="malformed_json")
        return ok(body)

    client = build_app(load_settings("catalog", {}), [bp], {}).test_client()
    deep = "[" * 100_000 + "]" * 100_000
    response = client.post("/echo", data=deep, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "malformed_json"
    assert client.post("/echo", json={"fine": [1, [2]]}).get_json()["data"] == {"fine": [1, [2]]}
