"""A contact-form message, validated field by field as api.md states."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from shared.invalid import Invalid

EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
LIMITS = {"name": (2, 100), "email": (3, 254), "subject": (1, 200), "message": (10, 5000)}


@dataclass(frozen=True)
class ContactMessage:
    name: str
    email: str
    subject: str
    message: str


class ContactInvalid(Invalid):
    """The contact form names bad fields; details maps each to its problem."""


def parse_contact(body: Any) -> ContactMessage:
    """Every field trimmed and checked; one-line fields may hold no control characters."""
    if not isinstance(body, dict):
        raise ContactInvalid({"body": "must be a JSON object"})
    problems = {key: "not allowed" for key in body if key not in LIMITS}
    values: dict[str, str] = {}
    for field, (low, high) in LIMITS.items():
        value = body.get(field)
        if not isinstance(value, str) or not low <= len(value.strip()) <= high:
            problems[field] = f"required, {low} to {high} characters"
            continue
        values[field] = value.strip()
        if field != "message" and CONTROL.search(values[field]):
            problems[field] = "must be a single line"
    if "email" in values and "email" not in problems and not EMAIL.match(values["email"]):
        problems["email"] = "must be an email address"
    if problems:
        raise ContactInvalid(problems)
    return ContactMessage(**values)
