"""Mentorship's answers keep their wire shapes, field for field and in order, now that they are the
models of shared/api/mentorship.py; a session's item keeps its attributes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from pydantic import ValidationError

from mentorship import views
from mentorship.adapters.repository import from_item, to_item
from mentorship.domain.availability import Availability, TimeRange, as_saved, availability_from
from mentorship.domain.session import CANCELLED, Session
from mentorship.domain.slots import free_slots
from mentorship.handlers import VideoGrant
from shared.api.mentorship import SCHEMAS, AvailabilityBody, Slot

START = datetime(2026, 3, 8, 14, 30, 0, 123456, tzinfo=UTC)
BOOKED, CHANGED = "2026-03-01T10:00:00.000Z", "2026-03-02T11:00:00.000Z"
KEYS = {"PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK"}


def session(**changes: object) -> Session:
    booked = Session(
        session_id="s1",
        student_id="user_sam",
        teacher_id="user_tina",
        course_id="c1",
        starts_at=START,
        ends_at=START.replace(microsecond=0) + timedelta(minutes=30),
        buffer_minutes=10,
        student_name="Zoë 山田",
        teacher_name="Tina",
        created_at=BOOKED,
        updated_at=CHANGED,
    )
    return replace(booked, **changes)


def test_a_session_is_answered_start_first_as_date_without_its_buffer() -> None:
    wire = views.session(session()).wire()
    assert list(wire.items()) == [
        ("date", "2026-03-08T14:30:00.123Z"),
        ("sessionId", "s1"),
        ("studentId", "user_sam"),
        ("teacherId", "user_tina"),
        ("courseId", "c1"),
        ("endsAt", "2026-03-08T15:00:00.000Z"),
        ("studentName", "Zoë 山田"),
        ("teacherName", "Tina"),
        ("createdAt", BOOKED),
        ("updatedAt", CHANGED),
        ("status", "scheduled"),
    ]
    assert views.session(session(status=CANCELLED)).wire()["status"] == "cancelled"


def test_a_session_in_another_zone_is_answered_in_utc() -> None:
    kolkata = START.astimezone(timezone(timedelta(hours=5, minutes=30)))
    assert views.session(session(starts_at=kolkata)).wire()["date"] == "2026-03-08T14:30:00.123Z"


def test_a_status_the_api_does_not_name_is_refused() -> None:
    with pytest.raises(ValidationError):
        views.session(session(status="paused"))


def test_a_session_item_holds_every_field_under_its_camel_case_name() -> None:
    item = to_item(session())
    assert {name: value for name, value in item.items() if name not in KEYS} == {
        "sessionId": "s1",
        "studentId": "user_sam",
        "teacherId": "user_tina",
        "courseId": "c1",
        "startsAt": "2026-03-08T14:30:00.123Z",
        "endsAt": "2026-03-08T15:00:00.000Z",
        "bufferMinutes": 10,
        "studentName": "Zoë 山田",
        "teacherName": "Tina",
        "createdAt": BOOKED,
        "updatedAt": CHANGED,
        "status": "scheduled",
    }
    read = from_item({**item, "bufferMinutes": Decimal(10)})
    assert read == session(starts_at=START.replace(microsecond=123000))
    assert type(read.buffer_minutes) is int


def test_a_session_item_without_its_buffer_or_names_reads_them_as_none_given() -> None:
    item = to_item(session())
    for attribute in ("bufferMinutes", "studentName", "teacherName"):
        del item[attribute]
    read = from_item(item)
    assert (read.buffer_minutes, read.student_name, read.teacher_name) == (0, "", "")
    del item["courseId"]
    with pytest.raises(KeyError):
        from_item(item)


def test_a_slot_is_answered_in_utc_to_the_second() -> None:
    start = datetime(2026, 3, 8, 14, tzinfo=UTC)
    slot = Slot(start=start, end=start + timedelta(minutes=45))
    assert list(slot.wire().items()) == [
        ("start", "2026-03-08T14:00:00Z"),
        ("end", "2026-03-08T14:45:00Z"),
    ]


def test_free_slots_on_a_clock_with_seconds_keep_them() -> None:
    """Monrovia's clock ran 44 minutes 30 seconds behind UTC until 1972."""
    monrovia = Availability("Africa/Monrovia", {2: (TimeRange(540, 600),)}, 20, 0, 0, 30, {})
    day = datetime(1971, 6, 1, tzinfo=UTC)
    found = free_slots(monrovia, day, day + timedelta(days=1), day - timedelta(days=2), [])
    assert [slot.wire() for slot in found][:1] == [
        {"start": "1971-06-01T09:44:30Z", "end": "1971-06-01T10:04:30Z"}
    ]


def availability() -> Availability:
    return Availability(
        timezone="Europe/London",
        weekly={6: (TimeRange(1320, 1440),), 1: (TimeRange(540, 720), TimeRange(780, 1050))},
        slot_minutes=45,
        buffer_minutes=15,
        min_notice_hours=12,
        max_days_ahead=90,
        exceptions={
            date(2026, 4, 2): (TimeRange(480, 540),),
            date(2026, 3, 29): (),
        },
    )


def test_an_availability_is_answered_sorted_each_exception_with_its_own_fields() -> None:
    wire = as_saved(availability()).wire()
    assert list(wire.items()) == [
        ("timezone", "Europe/London"),
        (
            "weekly",
            [
                {"day": 1, "start": "09:00", "end": "12:00"},
                {"day": 1, "start": "13:00", "end": "17:30"},
                {"day": 6, "start": "22:00", "end": "24:00"},
            ],
        ),
        ("slotMinutes", 45),
        ("bufferMinutes", 15),
        ("minNoticeHours", 12),
        ("maxDaysAhead", 90),
        (
            "exceptions",
            [
                {"date": "2026-03-29", "available": False},
                {"date": "2026-04-02", "start": "08:00", "end": "09:00"},
            ],
        ),
    ]
    assert list(wire["exceptions"][0]) == ["date", "available"]
    assert list(wire["exceptions"][1]) == ["date", "start", "end"]


def test_an_availability_without_hours_or_exceptions_answers_empty_lists() -> None:
    assert as_saved(Availability("UTC", {}, 15, 0, 0, 1, {})).wire() == {
        "timezone": "UTC",
        "weekly": [],
        "slotMinutes": 15,
        "bufferMinutes": 0,
        "minNoticeHours": 0,
        "maxDaysAhead": 1,
        "exceptions": [],
    }


def test_the_answered_availability_sets_the_same_availability_again() -> None:
    wire = as_saved(availability()).wire()
    assert availability_from(AvailabilityBody.model_validate(wire)) == availability()


def test_the_availability_component_is_the_body_with_every_field_answered() -> None:
    component = SCHEMAS["Availability"]
    assert (
        component["required"]
        == list(component["properties"])
        == [
            "timezone",
            "weekly",
            "slotMinutes",
            "bufferMinutes",
            "minNoticeHours",
            "maxDaysAhead",
            "exceptions",
        ]
    )
    assert "additionalProperties" not in component
    assert "default" not in component["properties"]["exceptions"]


def test_a_video_token_is_answered_field_for_field() -> None:
    expires = datetime(2026, 3, 8, 15, 10, 0, 987654, tzinfo=UTC)
    grant = VideoGrant("006token", "s1", 4294967295, expires)
    assert list(views.video_token(grant, "app").wire().items()) == [
        ("token", "006token"),
        ("channelName", "s1"),
        ("uid", 4294967295),
        ("expiresAt", "2026-03-08T15:10:00.987Z"),
        ("appId", "app"),
    ]
