"""A teacher's availability: every bad field named by its path (by the body's own checks, then
by availability's rules), and an exact stored round trip."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from mentorship.domain.availability import (
    Availability,
    AvailabilityInvalid,
    TimeRange,
    as_saved,
    availability_from,
    availability_from_document,
)
from shared.api.mentorship import AvailabilityBody
from shared.web.body import field_problems


def body(**changes: Any) -> dict[str, Any]:
    valid: dict[str, Any] = {
        "timezone": "America/New_York",
        "weekly": [
            {"day": 1, "start": "13:00", "end": "17:00"},
            {"day": 1, "start": "09:00", "end": "12:00"},
            {"day": 0, "start": "20:00", "end": "24:00"},
        ],
        "slotMinutes": 30,
        "bufferMinutes": 10,
        "minNoticeHours": 12,
        "maxDaysAhead": 60,
        "exceptions": [
            {"date": "2026-03-09", "start": "14:00", "end": "15:30"},
            {"date": "2026-03-02", "available": False},
            {"date": "2026-03-09", "start": "10:00", "end": "11:00"},
        ],
    }
    return {**valid, **changes}


def parse_availability(raw: dict[str, Any]) -> Availability:
    """The PUT's two steps: the body parsed (as parse_body does), then availability's rules."""
    return availability_from(AvailabilityBody.model_validate(raw))


def problems(raw: dict[str, Any]) -> dict[str, str]:
    """What the 400 names: the body's own problems, or when it has none the rules' problems."""
    try:
        parse_availability(raw)
    except ValidationError as exc:
        return field_problems(exc.errors())
    except AvailabilityInvalid as exc:
        return exc.details
    raise AssertionError(f"accepted: {raw}")


def test_a_valid_body_is_parsed_with_ranges_sorted_and_a_day_off_empty() -> None:
    availability = parse_availability(body())
    assert availability.weekly == {
        0: (TimeRange(20 * 60, 24 * 60),),
        1: (TimeRange(9 * 60, 12 * 60), TimeRange(13 * 60, 17 * 60)),
    }
    assert availability.exceptions == {
        date(2026, 3, 2): (),
        date(2026, 3, 9): (TimeRange(10 * 60, 11 * 60), TimeRange(14 * 60, 15 * 60 + 30)),
    }
    assert (availability.slot_minutes, availability.buffer_minutes) == (30, 10)
    assert (availability.min_notice_hours, availability.max_days_ahead) == (12, 60)


def test_exception_hours_replace_the_weekday_and_a_day_off_has_none() -> None:
    availability = parse_availability(body())
    assert availability.ranges_on(date(2026, 3, 16)) == availability.weekly[1]  # a Monday
    assert availability.ranges_on(date(2026, 3, 9))[0] == TimeRange(600, 660)  # also a Monday
    assert availability.ranges_on(date(2026, 3, 2)) == ()
    assert availability.ranges_on(date(2026, 3, 8)) == availability.weekly[0]  # a Sunday
    assert availability.ranges_on(date(2026, 3, 10)) == ()  # a Tuesday, no hours


def test_the_document_is_the_api_shape_sorted_and_round_trips_exactly() -> None:
    availability = parse_availability(body())
    document = as_saved(availability).wire()
    assert document == {
        "timezone": "America/New_York",
        "weekly": [
            {"day": 0, "start": "20:00", "end": "24:00"},
            {"day": 1, "start": "09:00", "end": "12:00"},
            {"day": 1, "start": "13:00", "end": "17:00"},
        ],
        "slotMinutes": 30,
        "bufferMinutes": 10,
        "minNoticeHours": 12,
        "maxDaysAhead": 60,
        "exceptions": [
            {"date": "2026-03-02", "available": False},
            {"date": "2026-03-09", "start": "10:00", "end": "11:00"},
            {"date": "2026-03-09", "start": "14:00", "end": "15:30"},
        ],
    }
    assert json.loads(json.dumps(document)) == document
    assert availability_from_document(document) == availability
    assert parse_availability(document) == availability


def test_a_document_read_back_from_dynamodb_with_decimals_is_the_same() -> None:
    availability = parse_availability(body())
    stored = json.loads(json.dumps(as_saved(availability).wire()), parse_int=Decimal)
    assert availability_from_document(stored) == availability


def test_exceptions_may_be_left_out_and_weekly_may_be_empty() -> None:
    raw = body(weekly=[])
    del raw["exceptions"]
    availability = parse_availability(raw)
    assert (availability.weekly, availability.exceptions) == ({}, {})


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": "America"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"timezone": "/etc/localtime"}, "timezone"),
        ({"timezone": "localtime"}, "timezone"),
        ({"timezone": "right/UTC"}, "timezone"),
        ({"timezone": ""}, "timezone"),
        ({"timezone": 5}, "timezone"),
        ({"weekly": [{"day": 7, "start": "09:00", "end": "10:00"}]}, "weekly[0].day"),
        ({"weekly": [{"day": -1, "start": "09:00", "end": "10:00"}]}, "weekly[0].day"),
        ({"weekly": [{"day": True, "start": "09:00", "end": "10:00"}]}, "weekly[0].day"),
        ({"weekly": [{"day": 1, "start": "25:00", "end": "26:00"}]}, "weekly[0].start"),
        ({"weekly": [{"day": 1, "start": "24:00", "end": "24:00"}]}, "weekly[0].start"),
        ({"weekly": [{"day": 1, "start": "9:00", "end": "10:00"}]}, "weekly[0].start"),
        ({"weekly": [{"day": 1, "start": "09:00\n", "end": "10:00"}]}, "weekly[0].start"),
        ({"weekly": [{"day": 1, "start": "09:00", "end": "24:05"}]}, "weekly[0].end"),
        ({"weekly": [{"day": 1, "start": "10:00", "end": "10:00"}]}, "weekly[0].end"),
        ({"weekly": [{"day": 1, "start": "11:00", "end": "10:00"}]}, "weekly[0].end"),
        ({"weekly": [{"day": 1, "start": "09:03", "end": "10:00"}]}, "weekly[0].start"),
        ({"weekly": [{"day": 1, "start": "09:00", "end": "10:01"}]}, "weekly[0].end"),
        ({"weekly": [{"day": 1, "start": "09:00", "end": "10:00", "tz": "x"}]}, "weekly[0].tz"),
        ({"weekly": ["09:00-10:00"]}, "weekly[0]"),
        ({"weekly": {"day": 1}}, "weekly"),
        ({"slotMinutes": 10}, "slotMinutes"),
        ({"slotMinutes": 185}, "slotMinutes"),
        ({"slotMinutes": 32}, "slotMinutes"),
        ({"slotMinutes": "30"}, "slotMinutes"),
        ({"slotMinutes": None}, "slotMinutes"),
        ({"bufferMinutes": 7}, "bufferMinutes"),
        ({"bufferMinutes": 65}, "bufferMinutes"),
        ({"minNoticeHours": -1}, "minNoticeHours"),
        ({"minNoticeHours": 721}, "minNoticeHours"),
        ({"maxDaysAhead": 0}, "maxDaysAhead"),
        ({"maxDaysAhead": 366}, "maxDaysAhead"),
        ({"maxDaysAhead": 30.0}, "maxDaysAhead"),
        ({"exceptions": [{"date": "2026-02-30", "available": False}]}, "exceptions[0].date"),
        ({"exceptions": [{"date": "20260301", "available": False}]}, "exceptions[0].date"),
        ({"exceptions": [{"available": False}]}, "exceptions[0].date"),
        ({"exceptions": [{"date": "2026-03-01", "available": True}]}, "exceptions[0].available"),
        (
            {"exceptions": [{"date": "2026-03-01", "available": False, "start": "09:00"}]},
            "exceptions[0].available",
        ),
        ({"exceptions": [{"date": "2026-03-01", "start": "09:00"}]}, "exceptions[0].end"),
        ({"exceptions": [{"date": "2026-03-01", "reason": "x"}]}, "exceptions[0].reason"),
        ({"exceptions": None}, "exceptions"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_each_bad_field_is_named_by_its_path(changes: dict[str, Any], field: str) -> None:
    assert field in problems(body(**changes))


def test_a_missing_field_is_named() -> None:
    raw = body()
    del raw["maxDaysAhead"]
    assert problems(raw) == {"maxDaysAhead": "required"}


def test_overlapping_ranges_of_one_day_are_named_but_touching_ones_are_fine() -> None:
    weekly = [
        {"day": 2, "start": "09:00", "end": "11:00"},
        {"day": 2, "start": "11:00", "end": "12:00"},
        {"day": 2, "start": "10:30", "end": "10:45"},
        {"day": 3, "start": "10:30", "end": "10:45"},
    ]
    assert problems(body(weekly=weekly)) == {"weekly[2]": "overlaps weekly[0] on the same day"}


def test_a_date_mixing_a_day_off_with_hours_is_named_whichever_comes_first() -> None:
    exceptions = [
        {"date": "2026-03-10", "start": "09:00", "end": "10:00"},
        {"date": "2026-03-10", "available": False},
        {"date": "2026-03-11", "available": False},
        {"date": "2026-03-11", "available": False},
        {"date": "2026-03-12", "start": "09:00", "end": "10:00"},
        {"date": "2026-03-12", "start": "09:30", "end": "10:30"},
    ]
    assert problems(body(exceptions=exceptions)) == {
        "exceptions[1].date": "mixes a day off with hours given in exceptions[0]",
        "exceptions[3].date": "is already a day off in exceptions[2]",
        "exceptions[5]": "overlaps exceptions[4] on the same day",
    }


def test_every_problem_of_the_body_is_reported_at_once() -> None:
    raw = body(
        timezone=5,
        weekly=[{"day": 7, "start": "25:00", "end": "10:00"}],
        slotMinutes=10,
        exceptions=[{"date": "2026-13-01", "available": False}],
        notes="hi",
    )
    assert set(problems(raw)) == {
        "timezone",
        "weekly[0].day",
        "weekly[0].start",
        "slotMinutes",
        "exceptions[0].date",
        "notes",
    }


def test_every_problem_with_the_rules_is_reported_at_once() -> None:
    raw = body(
        timezone="Nowhere/Land",
        weekly=[{"day": 1, "start": "11:00", "end": "10:00"}],
        exceptions=[{"date": "2026-03-01", "start": "09:00"}],
    )
    assert set(problems(raw)) == {"timezone", "weekly[0].end", "exceptions[0].end"}
