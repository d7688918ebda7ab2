"""The success envelope {message, data} and cursor headers."""

from __future__ import annotations

import base64
import json
from typing import Any

from flask import Response, jsonify

from shared.web.errors import BadRequest
from shared.web.json_provider import bounded_loads

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_CURSOR_CHARS = 4096
"""Four keys of a page's last item, with room to spare; a longer cursor was never ours."""
MAX_KEY_BYTES = 1024
"""DynamoDB's limit for a sort key (a partition key may hold 2048): a longer value was never ours
and would fail as a start key."""


def ok(data: Any, message: str = "OK", status: int = 200, cursor: str | None = None) -> Response:
    response = jsonify({"message": message, "data": data})
    response.status_code = status
    if cursor:
        response.headers["X-Next-Cursor"] = cursor
    return response


def encode_cursor(last_evaluated_key: dict[str, Any] | None) -> str | None:
    """DynamoDB's LastEvaluatedKey as an opaque url-safe cursor."""
    if not last_evaluated_key:
        return None
    raw = json.dumps(last_evaluated_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    """The start key a cursor of encode_cursor's holds; anything else is a 400 naming `cursor`."""
    if not cursor:
        return None
    if len(cursor) > MAX_CURSOR_CHARS or not cursor.isascii():
        raise BadRequest("The cursor is not valid.", details={"cursor": "malformed"})
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = bounded_loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("The cursor is not valid.", details={"cursor": "malformed"}) from exc
    if not isinstance(value, dict) or not all(_key_value(v) for v in value.values()):
        raise BadRequest("The cursor is not valid.", details={"cursor": "malformed"})
    return value


def _key_value(value: object) -> bool:
    """A string DynamoDB takes as a key: UTF-8 (no lone surrogate), 1 to MAX_KEY_BYTES long."""
    try:
        return isinstance(value, str) and 0 < len(value.encode()) <= MAX_KEY_BYTES
    except UnicodeEncodeError:
        return False


def parse_limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 3) or not 1 <= int(raw) <= MAX_LIMIT:
        raise BadRequest("limit must be between 1 and 100.", details={"limit": "out of range"})
    return int(raw)
