"""What every area of the API shares: the error envelope, paging, and the id parameters."""

from __future__ import annotations

from typing import Any

from shared.api.spec import (
    Answer,
    Param,
    ResponseModel,
    Schema,
    component_schemas,
    integer,
    ref,
    string,
)


class ErrorDetail(ResponseModel):
    """What a program reads of an error."""

    code: str
    """A machine code, e.g. `validation_error`, `not_self`."""
    details: Any
    """null, or for a 400 each bad field (a dotted path) mapped to its problem."""


class Error(ResponseModel):
    """Every error: `{message, error: {code, details}}`."""

    message: str
    """A human sentence."""
    error: ErrorDetail


SCHEMAS: dict[str, Schema] = component_schemas(Error)

LIMIT = Param(
    "limit",
    integer("Page size.", minimum=1, maximum=100, default=20),
    "How many to answer (1 to 100, default 20).",
)
CURSOR = Param(
    "cursor",
    string(),
    "The `X-Next-Cursor` of the previous page.",
)
PAGE = (LIMIT, CURSOR)
NEXT_CURSOR = {"X-Next-Cursor": "The cursor of the next page; absent on the last one."}


def error(description: str) -> Answer:
    """An answer in the error envelope."""
    return Answer(description, ref("Error"))


INVALID = error("Malformed or invalid: `error.details` names each bad field.")
