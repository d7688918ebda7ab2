"""The public API's request and response schemas, by area, keyed by operation: what the gateway's
OpenAPI document is generated from, with its route table."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

from shared.api import (
    chat,
    common,
    contact,
    courses,
    learning,
    mentorship,
    operations,
    payments,
    users,
)
from shared.api.spec import OperationSpec, Schema

V = TypeVar("V")

TAGS: dict[str, str] = {
    users.TAG: "The caller's role, profile and settings (Clerk, served by the gateway).",
    courses.TAG: "The catalog and course authoring (catalog).",
    payments.TAG: "Orders, transactions, sales and refunds (billing, Cashfree).",
    learning.TAG: "Enrolled courses, progress, playback and analytics (enrollment).",
    mentorship.TAG: "Availability, slots, sessions, invites and video tokens (mentorship).",
    chat.TAG: "A session's live chat and its history (chat).",
    contact.TAG: "The contact form (notifications).",
    operations.TAG: "Liveness, readiness, metrics and this document.",
}
AREAS = (users, courses, payments, learning, mentorship, chat, contact, operations)


def _merged(parts: Iterable[Mapping[str, V]], what: str) -> dict[str, V]:
    """One mapping of every part's; a name two parts define differently is an error."""
    merged: dict[str, V] = {}
    for part in parts:
        clash = {name for name in merged.keys() & part.keys() if merged[name] != part[name]}
        if clash:
            raise ValueError(f"{what} defined twice: {sorted(clash)}")
        merged.update(part)
    return merged


OPERATIONS: dict[str, OperationSpec] = _merged((a.OPERATIONS for a in AREAS), "operations")
"""Every operation's spec, keyed `METHOD /path/{param}`."""
SCHEMAS: dict[str, Schema] = _merged(
    (
        common.SCHEMAS,
        *(a.SCHEMAS for a in AREAS),
        *(spec.body.components for spec in OPERATIONS.values() if spec.body),
    ),
    "component schemas",
)
"""The named component schemas the specs refer to."""
