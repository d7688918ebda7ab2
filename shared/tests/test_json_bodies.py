"""Bodies nested beyond Python's recursion limit, or holding what nothing can store (NaN, a
number beyond a float, a lone surrogate), are malformed JSON (400), not a 500."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask import Blueprint, Response, request
from flask.testing import FlaskClient

from shared.config import load_settings
from shared.web.app import build_app
from shared.web.errors import BadRequest
from shared.web.json_provider import MAX_DEPTH, bounded_loads
from shared.web.responses import ok


def test_a_body_nested_too_deep_is_a_400() -> None:
    client = _echo_client()
    deep = "[" * 100_000 + "]" * 100_000
    response = client.post("/echo", data=deep, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "malformed_json"
    assert client.post("/echo", json={"fine": [1, [2]]}).get_json()["data"] == {"fine": [1, [2]]}


def _echo_client() -> FlaskClient:
    bp = Blueprint("echo", __name__)

    @bp.post("/echo")
    def echo() -> Response:
        body = request.get_json(silent=True)
        if body is None:
            raise BadRequest("The body must be JSON.", code="malformed_json")
        return ok(body)

    return build_app(load_settings("catalog", {}), [bp], {}).test_client()


@pytest.mark.parametrize(
    "body",
    [
        b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1),
        b'{"a": NaN}',
        b'{"a": -Infinity}',
        b'{"price": 1e999}',
        b'{"title": "\\ud800"}',
        b'{"\\udfff": 1}',
        b'"\xed\xa0\x80"',
        b"\xff\xfe{}",
        b'{"a": "\xc3\x28"}',
        b"1" * 5000,
    ],
    ids=[
        "too-deep",
        "nan",
        "infinity",
        "float-overflow",
        "lone-surrogate",
        "surrogate-key",
        "raw-surrogate",
        "not-utf8",
        "bad-utf8",
        "huge-int",
    ],
)
def test_bodies_nothing_can_store_are_malformed_json(body: bytes) -> None:
    response = _echo_client().post("/echo", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "malformed_json"


def test_real_bodies_still_parse() -> None:
    nested = [[[["deep enough"]]]]
    body = {"n": 10**30, "x": 1.5, "s": "é😀", "deep": nested, "depth": MAX_DEPTH}
    assert _echo_client().post("/echo", json=body).get_json()["data"] == body
    exactly = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert bounded_loads(exactly) is not None


def test_a_caller_may_parse_floats_as_decimals() -> None:
    assert bounded_loads(b'{"amount": 499.00}', parse_float=Decimal) == {
        "amount": Decimal("499.00")
    }
