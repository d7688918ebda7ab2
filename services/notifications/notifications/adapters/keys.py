"""Notifications' DynamoDB keys."""

from __future__ import annotations

from shared.dynamo.keys import compose, key

MAILS_DUE = "MAILS#DUE"
DIGESTS_DUE = "DIGESTS#DUE"


def mail_key(mail_key: str) -> dict[str, str]:
    return key(compose("MAIL", mail_key), "MAIL")


def due(partition: str, at: str, name: str) -> dict[str, str]:
    """A place in a sparse queue ordered by when it is due (mails, digests)."""
    return {"GSI2PK": partition, "GSI2SK": compose(at, name)}


def digest_entries(user_id: str) -> str:
    """Course notifications waiting for the user's digest (sparse GSI2 partition)."""
    return compose("DIGEST", user_id, "ENTRIES")


def digest_head(user_id: str) -> dict[str, str]:
    return key(compose("DIGEST", user_id), "HEAD")


def session_key(session_id: str) -> dict[str, str]:
    """The mails a booking scheduled, and whether the session was cancelled."""
    return key(compose("SESSION", session_id), "MAILS")


def contact_key(fingerprint: str) -> dict[str, str]:
    return key(compose("CONTACT", fingerprint), "CONTACT")
