"""Who gets what, when, and how it reads: settings, digest times, rendering."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from notifications.domain.digest_schedule import next_digest_at
from notifications.domain.mail import ALERT, COURSE, RECEIPT
from notifications.domain.preferences import DIGEST, SEND, SKIP, Preferences, decide
from notifications.rendering import money, render, when

KOLKATA, BERLIN = ZoneInfo("Asia/Kolkata"), ZoneInfo("Europe/Berlin")


def preferences(**settings: object) -> Preferences:
    return Preferences.from_metadata({"settings": settings})


@pytest.mark.parametrize(
    ("settings", "receipt", "alert", "course"),
    [
        ({}, SEND, SEND, SEND),
        ({"emailAlerts": False}, SEND, SKIP, SKIP),
        ({"courseNotifications": False}, SEND, SEND, SKIP),
        ({"notificationFrequency": "daily"}, SEND, SEND, DIGEST),
        ({"notificationFrequency": "weekly", "emailAlerts": False}, SEND, SKIP, SKIP),
    ],
)
def test_settings_decide_each_category(
    settings: dict[str, object], receipt: str, alert: str, course: str
) -> None:
    chosen = preferences(**settings)
    assert (decide(RECEIPT, chosen), decide(ALERT, chosen), decide(COURSE, chosen)) == (
        receipt,
        alert,
        course,
    )


def test_an_unknown_timezone_falls_back_to_utc() -> None:
    assert preferences(timezone="Mars/Olympus").timezone == "UTC"
    assert preferences(timezone="Asia/Kolkata").zone == KOLKATA


def test_digests_go_out_at_the_readers_morning_dst_included() -> None:
    evening = datetime(2026, 3, 28, 20, 0, tzinfo=UTC)  # Saturday; Berlin moves to CEST at night
    daily = next_digest_at(evening, "daily", BERLIN, hour=8)
    assert daily == datetime(2026, 3, 29, 6, 0, tzinfo=UTC), "08:00 CEST"
    weekly = next_digest_at(evening, "weekly", BERLIN, hour=8)
    assert weekly == datetime(2026, 3, 30, 6, 0, tzinfo=UTC), "Monday 08:00 CEST"
    monday_late = datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    assert next_digest_at(monday_late, "weekly", BERLIN, 8) == datetime(
        2026, 4, 6, 6, 0, tzinfo=UTC
    )
    assert next_digest_at(evening, "daily", KOLKATA, 8) == datetime(2026, 3, 29, 2, 30, tzinfo=UTC)


def test_times_and_money_read_as_the_reader_expects() -> None:
    assert when("2026-11-26T10:00:00Z", KOLKATA) == "Thursday 26 November 2026, 15:30 IST"
    assert when("2026-07-01T10:00:00Z", BERLIN) == "Wednesday 1 July 2026, 12:00 CEST"
    assert when("2026-11-26T10:00:00Z", ZoneInfo("America/Sao_Paulo")).endswith(
        "07:00 America/Sao_Paulo"
    ), "zones without a letter abbreviation are named"
    assert (money(49900, "INR"), money(123456, "USD"), money(500, "JPY")) == (
        "₹499.00",
        "$1,234.56",
        "5.00 JPY",
    )


def test_html_is_escaped_and_text_is_not() -> None:
    context = {
        "name": "Eve <script>alert(1)</script>",
        "email": "eve@example.com",
        "subject": "Hi & bye",
        "message": "<img src=x onerror=alert(1)> please help",
        "sentAt": "2026-11-26T10:00:00Z",
    }
    rendered = render("contact", context, ZoneInfo("UTC"))
    assert "<script>" not in rendered.html and "&lt;script&gt;" in rendered.html
    assert "<img" not in rendered.html and "&lt;img src=x" in rendered.html
    assert "<script>alert(1)</script>" in rendered.text
    assert rendered.subject == "Contact form: Hi & bye"


def test_every_template_renders_with_what_its_mail_carries() -> None:
    session = {
        "sessionId": "s1",
        "courseId": "c1",
        "courseTitle": "Rust",
        "startsAt": "2026-11-26T10:00:00Z",
        "endsAt": "2026-11-26T10:30:00Z",
        "studentName": "Sam",
        "teacherName": "Tara",
        "otherName": "Tara",
        "role": "student",
        "link": "http://localhost:3000/mentorship/s1",
        "firstName": "Sam",
    }
    for template in ("booked", "reminder"):
        assert "Tara" in render(template, session, KOLKATA).text
    cancelled = render("cancelled", {**session, "cancelledByName": "Tara"}, KOLKATA)
    assert "cancelled by Tara" in cancelled.text
    refund = {
        "courseTitle": "Rust",
        "orderId": "pl_1",
        "amount": 100,
        "currency": "INR",
        "refundedAt": "2026-11-26T10:00:00Z",
        "firstName": "Sam",
    }
    assert "course stays yours" in render("refund", {**refund, "duplicate": True}, KOLKATA).text
    assert (
        "access to the course has ended"
        in render("refund", {**refund, "duplicate": False}, KOLKATA).text
    )
