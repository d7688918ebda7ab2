"""The success envelope {message, data} and cursor headers."""

from __future__ import annotations

import base64
import json
from typing import Any

from flask import Response, jsonify

from shared.web.errors import BadRequest

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


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
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("The cursor is not valid.", details={"cursor": "malformed"}) from exc
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise BadRequest("The cursor is not valid.", details={"cursor": "malformed"})
    return value


def parse_limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise BadRequest("limit must be between 1 and 100.", details={"limit": "out of range"})
    return int(raw)
