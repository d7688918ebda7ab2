"""What notifications is asked to do, one frozen dataclass each; its events are commands too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class SendContactMessage:
    """A visitor writes to support through the contact form (fields already trimmed); the same
    idempotency key sends it once."""

    name: str
    email: str
    subject: str
    message: str
    idempotency_key: str | None


@dataclass(frozen=True)
class SendDueMail:
    """The relay's sweep, or an operator, sends the mail due by `as_of` (None: now)."""

    as_of: datetime | None = None


@dataclass(frozen=True)
class SendDueDigests:
    """The relay's sweep, or an operator, sends the digests due by `as_of` (None: now)."""

    as_of: datetime | None = None
