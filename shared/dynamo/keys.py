"""Key building blocks; each service's keys.py composes these, never inline f-strings."""

from __future__ import annotations

SEPARATOR = "#"


def compose(*parts: str) -> str:
    """compose("USER", "u1", "COURSE", "c1") -> "USER#u1#COURSE#c1"."""
    return SEPARATOR.join(parts)


def key(pk: str, sk: str) -> dict[str, str]:
    return {"PK": pk, "SK": sk}


def inbox_key(event_id: str) -> dict[str, str]:
    return key(compose("INBOX", event_id), "INBOX")


def outbox_key(event_id: str) -> dict[str, str]:
    return key(compose("OUTBOX", event_id), "OUTBOX")


def retry_key(event_id: str) -> dict[str, str]:
    return key(compose("RETRY", event_id), "RETRY")


def broker_epoch_key() -> dict[str, str]:
    return key("BROKER", "EPOCH")


def dead_letter_key(event_id: str) -> dict[str, str]:
    return key(compose("DEADLETTER", event_id), "DEADLETTER")


OUTBOX_PENDING = "OUTBOX#PENDING"
OUTBOX_SENT = "OUTBOX#SENT"
DEAD_LETTERS = "DEADLETTERS"
