"""Cursors and limits from the query string: what we issued decodes, anything else is a 400."""

from __future__ import annotations

import base64

import pytest
from flask import Blueprint, Response, request
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.config import load_settings
from shared.dynamo.pagination import ForeignCursor, start_key
from shared.web.app import build_app
from shared.web.errors import BadRequest
from shared.web.responses import (
    MAX_CURSOR_CHARS,
    MAX_KEY_BYTES,
    decode_cursor,
    encode_cursor,
    ok,
    parse_limit,
)

LAST_KEY = {"PK": "USER#user_1", "SK": "ORDER#2026-01-01T00:00:00.000Z#pl_1"}


def _raw(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def test_a_cursor_we_issued_decodes_to_its_key() -> None:
    assert decode_cursor(encode_cursor(LAST_KEY)) == LAST_KEY


@pytest.mark.parametrize(
    "cursor",
    [
        "a" * (MAX_CURSOR_CHARS + 1),
        "é",
        "%00",
        _raw("[" * 3000 + "]" * 3000),
        _raw("[]"),
        _raw('{"PK": 5}'),
        _raw('{"PK": ""}'),
        _raw('{"PK": "\\ud800"}'),
        encode_cursor({"PK": "USER#u1", "SK": "a" * (MAX_KEY_BYTES + 1)}),
        encode_cursor({"PK": "USER#u1", "SK": "é" * (MAX_KEY_BYTES // 2 + 1)}),
        _raw('{"PK": NaN}'),
    ],
    ids=[
        "too-long",
        "not-ascii",
        "nul",
        "deeply-nested",
        "not-an-object",
        "not-a-string",
        "empty-key",
        "lone-surrogate",
        "over-a-sort-key",
        "over-a-sort-key-in-utf8",
        "nan",
    ],
)
def test_a_cursor_we_never_issued_is_a_400_naming_cursor(cursor: str) -> None:
    with pytest.raises(BadRequest) as caught:
        decode_cursor(cursor)
    assert caught.value.details == {"cursor": "malformed"}


@given(st.text(max_size=300))
@settings(max_examples=300, derandomize=True, deadline=None)
def test_any_cursor_decodes_or_is_a_400(cursor: str) -> None:
    try:
        decoded = decode_cursor(cursor)
    except BadRequest:
        return
    assert decoded is None or all(isinstance(v, str) for v in decoded.values())


@pytest.mark.parametrize("raw", ["0", "101", "-1", "²", "١٢", "9" * 5000, " 5", "+5", "5.0"])
def test_a_limit_that_is_not_1_to_100_in_ascii_digits_is_a_400(raw: str) -> None:
    with pytest.raises(BadRequest):
        parse_limit(raw)


def test_limits_in_range_parse() -> None:
    assert (parse_limit(None), parse_limit(""), parse_limit("1"), parse_limit("100")) == (
        20,
        20,
        1,
        100,
    )


def test_a_cursor_of_another_list_is_answered_400_by_any_service() -> None:
    """start_key raises a domain error; the edge every app shares answers it."""
    bp = Blueprint("listing", __name__)

    @bp.get("/orders")
    def orders() -> Response:
        start = decode_cursor(request.args.get("cursor"))
        return ok({"start": start_key(start, None, "USER#user_1")})

    client = build_app(load_settings("billing", {}), [bp], {}).test_client()
    mine = client.get("/orders", query_string={"cursor": encode_cursor(LAST_KEY)})
    assert mine.status_code == 200 and mine.get_json()["data"]["start"] == LAST_KEY
    theirs = {"PK": "USER#user_2", "SK": LAST_KEY["SK"]}
    foreign = client.get("/orders", query_string={"cursor": encode_cursor(theirs)})
    assert foreign.status_code == 400
    assert foreign.get_json()["error"] == {
        "code": "validation_error",
        "details": {"cursor": "foreign"},
    }
    with pytest.raises(ForeignCursor):
        start_key(theirs, None, "USER#user_1")
