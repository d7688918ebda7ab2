"""Request bodies parsed into typed models: the one place where a bad body becomes a 400."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, ClassVar, TypeVar

from flask import request
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel
from pydantic_core import ErrorDetails, PydanticCustomError

from shared.auth.access import check_identity_fields
from shared.user_settings import is_timezone
from shared.web.errors import BadRequest
from shared.web.ids import ID_RULE, ID_SCHEMA_PATTERN, is_id

B = TypeVar("B", bound="RequestBody")
T = TypeVar("T")


class RequestBody(BaseModel):
    """A JSON request body: camelCase on the wire, snake_case in code, frozen once parsed, and
    strict (`"5"` is not a number, `1` is not true); only the wire names are read (`course_id`
    is not `courseId`'s other spelling). Fields it does not declare are ignored
    unless a body sets `extra="forbid"`; a field's docstring is its OpenAPI description."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        frozen=True,
        strict=True,
        extra="ignore",
        validate_by_name=False,
        use_attribute_docstrings=True,
    )
    INVALID: ClassVar[str] = "The request has invalid fields."
    """The 400's sentence; `error.details` names each bad field."""
    IDENTITY_FIELDS: ClassVar[tuple[str, ...]] = ()
    ABSENT_IS_EMPTY: ClassVar[bool] = False
    """A request without any body reads as `{}` (operations whose fields are all optional and
    that always took a bare POST)."""
    NON_OBJECT_IS_A_FIELD_ERROR: ClassVar[bool] = False
    """A request holding no JSON object is answered as a bad field named `body` (400
    `validation_error`, INVALID) rather than 400 `malformed_json`: what the contact form and the
    gateway's own endpoints always answered."""
    """Wire names that may only hold the caller's own id (else 403, before any other check)."""


def _an_id(value: str) -> str:
    if not is_id(value):
        raise PydanticCustomError("invalid_id", ID_RULE)
    return value


Id = Annotated[
    str,
    Field(min_length=1, json_schema_extra={"pattern": ID_SCHEMA_PATTERN}),
    AfterValidator(_an_id),
]
"""A string that can be an id (what `shared.web.ids.is_id` accepts); an empty one is missing."""


def _a_time_zone(value: str) -> str:
    if not is_timezone(value):
        raise PydanticCustomError("time_zone", "must be an IANA time zone such as Asia/Kolkata")
    return value


TimeZone = Annotated[str, AfterValidator(_a_time_zone)]
"""An IANA zone name this machine's tz database knows (`Asia/Kolkata`, `UTC`)."""
Items = Annotated[tuple[T, ...], Field(strict=False)]
"""A JSON array, kept as a tuple: strict mode takes only a tuple for a tuple, and a parsed body
holds lists; each item is still checked strictly."""


def parse_body(model: type[B]) -> B:
    """The request's JSON object as `model`: 400 `malformed_json` when it is not one, 403
    `not_self` for an identity field naming someone else, 400 `validation_error` naming every
    bad field."""
    if model.ABSENT_IS_EMPTY and not request.get_data(cache=True):
        return parse_object(model, {})
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        if model.NON_OBJECT_IS_A_FIELD_ERROR:
            raise BadRequest(model.INVALID, details={"body": "must be a JSON object"})
        raise BadRequest("The body must be a JSON object.", code="malformed_json")
    return parse_object(model, body)


def parse_object(model: type[B], body: dict[str, Any]) -> B:
    """`body` as `model` (see parse_body), for a body that did not come as JSON."""
    if model.IDENTITY_FIELDS:
        check_identity_fields(body, *model.IDENTITY_FIELDS)
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise BadRequest(model.INVALID, details=field_problems(exc.errors())) from None


def field_problems(errors: Iterable[ErrorDetails]) -> dict[str, str]:
    """Each bad field's path (`sections[0].title`) and its first problem, in plain words."""
    problems: dict[str, str] = {}
    for error in errors:
        problems.setdefault(field_path(error["loc"]) or "body", _in_words(error))
    return problems


def field_path(loc: tuple[int | str, ...]) -> str:
    """`("sections", 0, "title")` as `sections[0].title`."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else part
    return path


_WORDS: dict[str, str] = {
    "missing": "required",
    "extra_forbidden": "is not a field you can set",
    "string_type": "must be a string",
    "int_type": "must be an integer",
    "float_type": "must be a number",
    "bool_type": "must be true or false",
    "list_type": "must be an array",
    "tuple_type": "must be an array",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "string_too_short": "must have at least {min_length} characters",
    "string_too_long": "must have at most {max_length} characters",
    "too_short": "must have at least {min_length} items",
    "too_long": "must have at most {max_length} items",
    "greater_than_equal": "must be at least {ge}",
    "less_than_equal": "must be at most {le}",
    "greater_than": "must be more than {gt}",
    "less_than": "must be less than {lt}",
    "literal_error": "must be one of {expected}",
    "enum": "must be one of {expected}",
}


def _in_words(error: ErrorDetails) -> str:
    if error["type"] == "string_too_short" and (error.get("ctx") or {}).get("min_length") == 1:
        return "required"
    template = _WORDS.get(error["type"])
    if template is None:
        return error["msg"]
    return template.format(**(error.get("ctx") or {}))
