"""Mentorship invites are well-formed RFC 5545: structure, UTC times, escaping, folding, CRLF."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from shared.ics import session_invite

START = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
URL = "https://app.prolearn.test/mentorship/sessions/s-42/join"

Line = tuple[str, dict[str, str], str]


def _invite(**overrides: Any) -> str:
    fields: dict[str, Any] = {
        "uid": "s-42@prolearn",
        "starts_at": START,
        "ends_at": START + timedelta(minutes=45),
        "summary": "Mentorship: system design",
        "description": "Bring your questions.",
        "url": URL,
        "organizer_name": "Asha Rao",
        "attendee_names": ["Asha Rao", "Ben Ode"],
        "stamp": datetime(2026, 11, 20, 8, 30, 15, tzinfo=UTC),
    }
    fields.update(overrides)
    return session_invite(**fields)


def _split(text: str, separator: str) -> list[str]:
    """Split on `separator` wherever it stands outside double quotes."""
    parts, current, quoted = [], "", False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == separator and not quoted:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def _parse(ics: str) -> list[Line]:
    """Unfold (RFC 5545 3.1), then split each content line into name, parameters and raw value."""
    lines = []
    for line in ics.replace("\r\n ", "").removesuffix("\r\n").split("\r\n"):
        head, *rest = _split(line, ":")
        name, *params = _split(head, ";")
        lines.append((name, dict(p.split("=", 1) for p in params), ":".join(rest)))
    return lines


def _unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)


def _values(ics: str, name: str) -> list[str]:
    return [value for n, _, value in _parse(ics) if n == name]


def _one(ics: str, name: str) -> str:
    (value,) = _values(ics, name)
    return value


def test_calendar_holds_one_event_with_a_reminder() -> None:
    blocks = [(n, v) for n, _, v in _parse(_invite()) if n in ("BEGIN", "END")]

    assert blocks == [
        ("BEGIN", "VCALENDAR"),
        ("BEGIN", "VEVENT"),
        ("BEGIN", "VALARM"),
        ("END", "VALARM"),
        ("END", "VEVENT"),
        ("END", "VCALENDAR"),
    ]


def test_calendar_and_event_properties() -> None:
    ics = _invite(sequence=2)

    assert _one(ics, "VERSION") == "2.0"
    assert _one(ics, "PRODID") == "-//ProLearn//Mentorship//EN"
    assert _one(ics, "CALSCALE") == "GREGORIAN"
    assert _one(ics, "METHOD") == "PUBLISH"
    assert _one(ics, "UID") == "s-42@prolearn"
    assert _one(ics, "SUMMARY") == "Mentorship: system design"
    assert _one(ics, "URL") == URL
    assert _one(ics, "STATUS") == "CONFIRMED"
    assert _one(ics, "SEQUENCE") == "2"


def test_description_names_participants_and_carries_the_url() -> None:
    event_description = _unescape(_values(_invite(), "DESCRIPTION")[0])

    assert event_description == f"Bring your questions.\n\nWith: Asha Rao, Ben Ode\n\nJoin: {URL}"


def test_organizer_is_named_with_an_undeliverable_address() -> None:
    ((_, params, value),) = [line for line in _parse(_invite()) if line[0] == "ORGANIZER"]

    assert params == {"CN": '"Asha Rao"'}
    assert value == "mailto:no-reply@prolearn.invalid"


def test_publish_carries_no_attendees() -> None:
    assert _values(_invite(), "ATTENDEE") == []


def test_request_names_each_attendee() -> None:
    attendees = [(p, v) for n, p, v in _parse(_invite(method="REQUEST")) if n == "ATTENDEE"]

    assert attendees == [
        ({"CN": f'"{name}"', "ROLE": "REQ-PARTICIPANT"}, "mailto:no-reply@prolearn.invalid")
        for name in ("Asha Rao", "Ben Ode")
    ]


def test_reminder_is_a_display_ten_minutes_before() -> None:
    ics = _invite()

    assert _one(ics, "ACTION") == "DISPLAY"
    assert _one(ics, "TRIGGER") == "-PT10M"


def test_times_are_utc_basic_format() -> None:
    ist = timezone(timedelta(hours=5, minutes=30))
    ics = _invite(
        starts_at=START.astimezone(ist), ends_at=datetime(2026, 11, 25, 16, 15, tzinfo=ist)
    )

    assert _one(ics, "DTSTART") == "20261125T100000Z"
    assert _one(ics, "DTEND") == "20261125T104500Z"
    assert _one(ics, "DTSTAMP") == "20261120T083015Z"


def test_text_values_are_escaped_and_round_trip() -> None:
    summary = "Q&A; arrays, maps \\ sets\nand more"
    ics = _invite(summary=summary)

    assert "SUMMARY:Q&A\\; arrays\\, maps \\\\ sets\\nand more\r\n" in ics
    assert _unescape(_one(ics, "SUMMARY")) == summary


def test_parameter_values_are_quoted_with_rfc6868_caret_encoding() -> None:
    ics = _invite(organizer_name='Rao, "Asha"; Dr.')

    assert "ORGANIZER;CN=\"Rao, ^'Asha^'; Dr.\":mailto:no-reply@prolearn.invalid\r\n" in ics


def test_long_non_ascii_lines_fold_within_75_octets_and_unfold_intact() -> None:
    description = "Разберём архитектуру, 設計レビュー と 🎓 вопросы; " * 12
    ics = _invite(description=description)
    physical = ics.encode().split(b"\r\n")

    assert max(len(line) for line in physical) <= 75
    assert all(line.decode() for line in physical if line)  # no UTF-8 character split
    assert sum(line.startswith(b" ") for line in physical) > 10
    assert _unescape(_values(ics, "DESCRIPTION")[0]).startswith(description)


@pytest.mark.parametrize(("length", "folded"), [(75, False), (76, True)])
def test_fold_starts_past_75_octets(length: int, folded: bool) -> None:
    summary = "x" * (length - len("SUMMARY:"))
    ics = _invite(summary=summary)

    assert (f"SUMMARY:{summary}\r\n" not in ics) is folded
    assert _one(ics, "SUMMARY") == summary


def test_every_line_ends_with_crlf() -> None:
    ics = _invite(description="one\ntwo\r\nthree\rfour")

    assert ics.endswith("END:VCALENDAR\r\n")
    assert re.search(r"\r(?!\n)|(?<!\r)\n", ics) is None


def test_cancelled_session_has_no_reminder() -> None:
    ics = _invite(status="CANCELLED", sequence=1)

    assert _one(ics, "STATUS") == "CANCELLED"
    assert _one(ics, "SEQUENCE") == "1"
    assert "VALARM" not in _values(ics, "BEGIN")


def test_cancel_method_lists_attendees_and_needs_cancelled_status() -> None:
    ics = _invite(method="CANCEL", status="CANCELLED", sequence=1)

    assert _one(ics, "METHOD") == "CANCEL"
    assert len(_values(ics, "ATTENDEE")) == 2
    with pytest.raises(ValueError, match="CANCELLED"):
        _invite(method="CANCEL")


@pytest.mark.parametrize("field", ["starts_at", "ends_at", "stamp"])
def test_naive_datetimes_are_refused(field: str) -> None:
    naive = datetime(2026, 11, 25, 12, 0)

    with pytest.raises(ValueError, match="naive"):
        _invite(**{field: naive})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("status", "TENTATIVE"),
        ("method", "REPLY"),
        ("sequence", -1),
        ("url", "https://x.test/a b"),
        ("ends_at", START),
    ],
)
def test_invalid_arguments_are_refused(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=field):
        _invite(**{field: value})
