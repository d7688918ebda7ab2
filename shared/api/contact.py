"""The contact form (served by notifications): a message to support."""

from __future__ import annotations

import re
from typing import Annotated, ClassVar

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from shared.api.common import error
from shared.api.spec import (
    Answer,
    Body,
    Operations,
    OperationSpec,
    ResponseModel,
    Schema,
    component_schemas,
    envelope,
    ref,
)
from shared.web.body import RequestBody

TAG = "contact"


class SentMessage(ResponseModel):
    """The contact form's message, mailed."""

    id: str
    """The mail provider's id."""


SCHEMAS: dict[str, Schema] = component_schemas(SentMessage)

EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _trimmed(value: object) -> object:
    """A string without its surrounding whitespace (`str.strip`), measured after; anything
    else as it came, for the string check to refuse."""
    return value.strip() if isinstance(value, str) else value


def _one_line(value: str) -> str:
    if CONTROL.search(value):
        raise PydanticCustomError("single_line", "must be a single line")
    return value


def _an_email(value: str) -> str:
    if not EMAIL.match(value):
        raise PydanticCustomError("email", "must be an email address")
    return value


Trimmed = Annotated[str, BeforeValidator(_trimmed)]
"""A string trimmed before its length is checked."""
OneLine = Annotated[Trimmed, AfterValidator(_one_line)]
"""A trimmed string with no control characters (no header can be smuggled into the mail)."""


class ContactBody(RequestBody):
    """A visitor's message to support: every field is trimmed, then measured; any other field
    is refused."""

    model_config = ConfigDict(extra="forbid")
    INVALID: ClassVar[str] = "The contact form is invalid."
    NON_OBJECT_IS_A_FIELD_ERROR: ClassVar[bool] = True

    name: OneLine = Field(min_length=2, max_length=100)
    email: Annotated[OneLine, AfterValidator(_an_email)] = Field(
        min_length=3, max_length=254, json_schema_extra={"format": "email"}
    )
    """The sender's address: support's reply goes there."""
    subject: OneLine = Field(min_length=1, max_length=200)
    message: Trimmed = Field(min_length=10, max_length=5000)
    """May span lines."""


OPERATIONS: Operations = {
    "POST /api/emails/contact": OperationSpec(
        TAG,
        {
            200: Answer(
                "Sent (`Email sent successfully!`); the same Idempotency-Key answers the same id"
                " and sends nothing.",
                envelope(ref("SentMessage")),
            ),
            400: error("`error.details` names each bad field."),
            502: error("The mail provider refused the message (`mail_rejected`)."),
        },
        "Mailed to support with reply-to the sender. Trimmed lengths: name 2 to 100, subject"
        " 1 to 200, message 10 to 5000; one-line fields hold no control characters.",
        body=Body.of(ContactBody),
    ),
}
