"""iCalendar (RFC 5545) invites for mentorship sessions, ready to attach to an email."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

NO_REPLY = "mailto:no-reply@prolearn.invalid"
METHODS = frozenset({"PUBLISH", "REQUEST", "CANCEL"})
STATUSES = frozenset({"CONFIRMED", "CANCELLED"})
_MAX_OCTETS = 75
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def session_invite(
    *,
    uid: str,
    starts_at: datetime,
    ends_at: datetime,
    summary: str,
    description: str,
    url: str,
    organizer_name: str,
    attendee_names: Sequence[str],
    stamp: datetime,
    status: str = "CONFIRMED",
    sequence: int = 0,
    method: str = "PUBLISH",
) -> str:
    """One VEVENT in a VCALENDAR; participants are named in the description.

    ATTENDEE lines go out only for REQUEST and CANCEL: iTIP (RFC 5546 3.2.1) forbids them in
    PUBLISH. Without emails every address is the undeliverable no-reply one. No reminder is
    attached to a cancelled session (CANCEL must not carry a VALARM).
    """
    _check_times(starts_at, ends_at, stamp)
    _check_choices(status, method, sequence, url)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//ProLearn//Mentorship//EN",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        f"UID:{_text(uid)}",
        f"DTSTAMP:{_utc(stamp)}",
        f"DTSTART:{_utc(starts_at)}",
        f"DTEND:{_utc(ends_at)}",
        f"SUMMARY:{_text(summary)}",
        f"DESCRIPTION:{_text(_details(description, attendee_names, url))}",
        f"URL:{url}",
        f"STATUS:{status}",
        f"SEQUENCE:{sequence}",
        f"ORGANIZER;CN={_param(organizer_name)}:{NO_REPLY}",
    ]
    if method != "PUBLISH":
        lines += [
            f"ATTENDEE;CN={_param(name)};ROLE=REQ-PARTICIPANT:{NO_REPLY}" for name in attendee_names
        ]
    if status == "CONFIRMED":
        lines += [
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"DESCRIPTION:{_text(summary)}",
            "TRIGGER:-PT10M",
            "END:VALARM",
        ]
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(_fold(line) + "\r\n" for line in lines)


def session_link(client_url: str, session_id: str) -> str:
    """Where the frontend opens a session (video and chat)."""
    return f"{client_url.rstrip('/')}/mentorship/{session_id}"


def mentorship_invite(
    *,
    session_id: str,
    starts_at: datetime,
    ends_at: datetime,
    student_name: str,
    teacher_name: str,
    link: str,
    cancelled: bool = False,
    stamp: datetime | None = None,
) -> str:
    """The invite of a 1-to-1 session, the same from the ICS endpoint and in the booking mail;
    a cancelled session's invite cancels the event."""
    return session_invite(
        uid=f"{session_id}@prolearn",
        starts_at=starts_at,
        ends_at=ends_at,
        summary=f"ProLearn mentorship: {student_name} with {teacher_name}",
        description=f"Your 1-to-1 session. Join at {link}",
        url=link,
        organizer_name=teacher_name,
        attendee_names=[student_name],
        stamp=stamp or datetime.now(UTC),
        status="CANCELLED" if cancelled else "CONFIRMED",
        sequence=1 if cancelled else 0,
    )


def _check_times(starts_at: datetime, ends_at: datetime, stamp: datetime) -> None:
    if any(moment.utcoffset() is None for moment in (starts_at, ends_at, stamp)):
        raise ValueError("naive datetimes are refused: give timezone-aware ones")
    if ends_at <= starts_at:
        raise ValueError("ends_at must come after starts_at")


def _check_choices(status: str, method: str, sequence: int, url: str) -> None:
    if status not in STATUSES:
        raise ValueError(f"status must be one of {sorted(STATUSES)}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {sorted(METHODS)}")
    if method == "CANCEL" and status != "CANCELLED":
        raise ValueError("a CANCEL invite must have status CANCELLED")
    if sequence < 0:
        raise ValueError("sequence must not be negative")
    if not url or any(ch.isspace() or _CONTROLS.match(ch) for ch in url):
        raise ValueError("url must be a non-empty URI without spaces or control characters")


def _details(description: str, attendee_names: Sequence[str], url: str) -> str:
    parts = [description] if description else []
    if attendee_names:
        parts.append("With: " + ", ".join(attendee_names))
    parts.append(f"Join: {url}")
    return "\n\n".join(parts)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _plain(value: str) -> str:
    """Newlines normalised to LF; other control characters (except tab) dropped."""
    return _CONTROLS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def _text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newline escaped."""
    escaped = _plain(value).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return escaped.replace("\n", "\\n")


def _param(value: str) -> str:
    """A quoted parameter value; caret, newline and double quote encoded as RFC 6868 says."""
    encoded = _plain(value).replace("^", "^^").replace("\n", "^n").replace('"', "^'")
    return f'"{encoded}"'


def _fold(line: str) -> str:
    """Split into physical lines of at most 75 octets, never inside a UTF-8 character."""
    pieces: list[str] = []
    current: list[str] = []
    size, limit = 0, _MAX_OCTETS
    for char in line:
        octets = len(char.encode())
        if size + octets > limit:
            pieces.append("".join(current))
            current, size, limit = [], 0, _MAX_OCTETS - 1  # the leading space is one octet
        current.append(char)
        size += octets
    pieces.append("".join(current))
    return "\r\n ".join(pieces)
