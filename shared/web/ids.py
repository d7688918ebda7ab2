"""The one id format (path parameters, id fields, token subjects), checked at every edge."""

from __future__ import annotations

import re
from typing import TypeGuard

from flask import Flask

from shared.web.current import current_request
from shared.web.errors import BadRequest, NotFound

MAX_ID_CHARS = 64
"""Room for every real id (uuid hex 32, Clerk `user_…` ~32, `pl_<hex>` 35, Cashfree ≤ 45), and
far below DynamoDB's key limits (2048 bytes partition, 1024 sort) once prefixed."""
ID_SCHEMA_PATTERN = f"^[A-Za-z0-9_-]{{1,{MAX_ID_CHARS}}}$"
"""The same rule as an OpenAPI (ECMA-262) pattern."""
ID_PATTERN = re.compile(rf"\A[A-Za-z0-9_-]{{1,{MAX_ID_CHARS}}}\Z")
ID_RULE = f"must be an id: 1 to {MAX_ID_CHARS} letters, digits, '-' or '_'"


def is_id(value: object) -> TypeGuard[str]:
    """True for a string that can be an id: safe in a URL path segment, a key, a header."""
    return isinstance(value, str) and ID_PATTERN.match(value) is not None


def is_id_name(name: str) -> bool:
    """`courseId`, `course_id`, `id`: the path parameters the edge checks."""
    return name == "id" or name.endswith(("Id", "_id"))


def require_id(value: object, field: str) -> str:
    """`value` when it is an id; else 400 naming `field` (an id in a body or query)."""
    if not is_id(value):
        raise BadRequest(f"{field} is not a valid id.", details={field: ID_RULE})
    return value


def install_id_check(app: Flask) -> None:
    """A path id that is not an id names nothing: 404 before any view, key or upstream URL."""

    @app.before_request
    def _check_path_ids() -> None:
        bad = {
            name: ID_RULE
            for name, value in (current_request().view_args or {}).items()
            if is_id_name(name) and not is_id(value)
        }
        if bad:
            raise NotFound("No such resource: the path holds a malformed id.", details=bad)
