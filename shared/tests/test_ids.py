"""Ids: one format for every id, checked at the edge (404 in a path, 400 in a body), and every
id put into a URL encoded as one path segment."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from flask import Blueprint, Response
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.config import load_settings
from shared.http import segment, url_path
from shared.web.app import build_app
from shared.web.errors import BadRequest
from shared.web.ids import ID_PATTERN, MAX_ID_CHARS, is_id, require_id
from shared.web.responses import ok

REAL_IDS = [
    "4f1c2a9be0d84b6c9a3f5e7d1c2b3a40",  # uuid4 hex: courses, sessions, request ids
    "123e4567-e89b-12d3-a456-426614174000",  # a dashed uuid
    "user_2NNEqL2nrIRdJ194ndJqAHwEfxC",  # Clerk
    "pl_4f1c2a9be0d84b6c9a3f5e7d1c2b3a40",  # our Cashfree order ids
    "rf_9b1d4c0e2f3a4b5c6d7e8f9a0b1c2d3e",  # our refund ids
    "0001733540000000-a1b2c3d4e5f6",  # chat message ids
    "s1",  # section and chapter ids an editor sent
    "a" * MAX_ID_CHARS,
]
HOSTILE = ["", "a/b", "..", ".", "a.b", "%2F", "a\x00b", "é", "😀", " a", "a\n", "a" * 65, "a?b"]


@pytest.mark.parametrize("value", REAL_IDS)
def test_every_real_id_is_an_id(value: str) -> None:
    assert is_id(value)


@pytest.mark.parametrize("value", [*HOSTILE, None, 5, ["a"]])
def test_hostile_values_are_not(value: object) -> None:
    assert not is_id(value)


@given(st.text(max_size=80))
@settings(max_examples=300, derandomize=True, deadline=None)
def test_an_id_is_one_plain_path_segment_and_a_small_key(value: str) -> None:
    if is_id(value):
        assert segment(value) == value
        assert len(f"USER#{value}#COURSE#{value}".encode()) <= 1024


def test_a_body_id_is_a_400_naming_its_field() -> None:
    assert require_id("c1", "courseId") == "c1"
    with pytest.raises(BadRequest) as caught:
        require_id("../c1", "courseId")
    assert caught.value.status == 400
    assert list(caught.value.details) == ["courseId"]


def _client() -> FlaskClient:
    bp = Blueprint("things", __name__)

    @bp.get("/things/<thingId>/names/<name>")
    def thing(thingId: str, name: str) -> Response:  # noqa: N803
        return ok({"thingId": thingId, "name": name})

    return build_app(load_settings("catalog", {}), [bp], {}).test_client()


@pytest.mark.parametrize("value", ["%00", "a%2Fb", "%E2%80%AE", "a" * 65, "%2E%2E", "a%20b"])
def test_a_malformed_path_id_is_a_404_in_the_error_shape(value: str) -> None:
    response = _client().get(f"/things/{value}/names/x")
    assert response.status_code == 404
    body = response.get_json()
    assert body["error"]["code"] == "not_found"
    assert isinstance(body["message"], str)
    if "%2F" not in value:  # a slash makes another path, which no rule matches
        assert list(body["error"]["details"]) == ["thingId"]


def test_only_parameters_named_as_ids_are_checked() -> None:
    response = _client().get("/things/t1/names/any%20name%20at%20all")
    assert response.status_code == 200
    assert response.get_json()["data"] == {"thingId": "t1", "name": "any name at all"}


@given(st.text())
@settings(max_examples=300, derandomize=True, deadline=None)
def test_a_segment_holds_its_value_and_nothing_else(value: str) -> None:
    if value in ("", ".", ".."):
        return
    encoded = segment(value)
    assert unquote(encoded, errors="surrogatepass") == value
    assert "/" not in encoded and "?" not in encoded and "#" not in encoded


def test_a_url_path_encodes_each_segment() -> None:
    assert url_path("orders", "pl_1", "refunds") == "/orders/pl_1/refunds"
    assert url_path("internal", "progress", "a/b", "../x") == "/internal/progress/a%2Fb/..%2Fx"
    assert url_path("orders", "a?b#c%") == "/orders/a%3Fb%23c%25"


@pytest.mark.parametrize("value", ["", ".", ".."])
def test_a_segment_that_would_move_the_path_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="cannot be a path segment"):
        url_path("orders", value)


def test_the_pattern_has_no_trailing_newline_loophole() -> None:
    assert ID_PATTERN.match("abc\n") is None
