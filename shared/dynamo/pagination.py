"""Validate a client-supplied cursor before it becomes an ExclusiveStartKey."""

from __future__ import annotations

from typing import Any


class ForeignCursor(ValueError):
    """The cursor is a key of another list (another index, or another partition)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.details = {"cursor": "foreign"}


def start_key(
    cursor_key: dict[str, Any] | None, index: str | None, pk: str
) -> dict[str, Any] | None:
    """The decoded cursor, if it is a key of this very index partition; else ForeignCursor."""
    if cursor_key is None:
        return None
    expected = {"PK", "SK"} | ({f"{index}PK", f"{index}SK"} if index else set())
    partition = cursor_key.get(f"{index}PK" if index else "PK")
    if set(cursor_key) != expected or partition != pk:
        raise ForeignCursor(f"{sorted(cursor_key)} is not a key of {index or 'the table'}/{pk}")
    return cursor_key
