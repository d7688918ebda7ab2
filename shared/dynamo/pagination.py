"""Validate a client-supplied cursor before it becomes an ExclusiveStartKey."""

from __future__ import annotations

from typing import Any

from shared.web.errors import BadRequest


def start_key(
    cursor_key: dict[str, Any] | None, index: str | None, pk: str
) -> dict[str, Any] | None:
    """The decoded cursor, if it is a key of this very index partition; else 400."""
    if cursor_key is None:
        return None
    expected = {"PK", "SK"} | ({f"{index}PK", f"{index}SK"} if index else set())
    partition = cursor_key.get(f"{index}PK" if index else "PK")
    if set(cursor_key) != expected or partition != pk:
        raise BadRequest("The cursor does not belong to this list.", details={"cursor": "foreign"})
    return cursor_key
