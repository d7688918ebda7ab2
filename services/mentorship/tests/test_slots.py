"""Free slots: DST days stepped in real time, buffers, notice and horizon edges, lock buckets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mentorship.domain.availability import Availability, availability_from
from mentorship.domain.slots import free_slots, is_bookable, lock_buckets
from shared.api.mentorship import AvailabilityBody, Slot

EVERY_DAY = range(7)


def teacher(zone: str, start: str, end: str, days: Any = EVERY_DAY, **rules: Any) -> Availability:
    body = {
        "timezone": zone,
        "weekly": [{"day": day, "start": start, "end": end} for day in days],
        "slotMinutes": 60,
        "bufferMinutes": 0,
        "minNoticeHours": 0,
        "maxDaysAhead": 365,
        "exceptions": [],
        **rules,
    }
    return availability_from(AvailabilityBody.model_validate(body))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


NOW = at("2026-01-01T00:00:00Z")


def starts(availability: Availability, since: str, until: str, busy: Any = ()) -> list[str]:
    slots = free_slots(availability, at(since), at(until), NOW, list(busy))
    rendered = [slot.wire()["start"] for slot in slots]
    assert len(set(rendered)) == len(rendered)
    return rendered


def on_local_day(availability: Availability, day: str) -> list[str]:
    """Slots of one local date: from its local midnight to the next (both read in its zone)."""
    zone = availability.zone
    since = datetime.fromisoformat(f"{day}T00:00:00").replace(tzinfo=zone)
    until = since.replace(tzinfo=None) + timedelta(days=1)
    slots = free_slots(availability, since, until.replace(tzinfo=zone), NOW, [])
    rendered = [slot.wire()["start"] for slot in slots]
    assert len(set(rendered)) == len(rendered)
    return rendered


@pytest.mark.parametrize(
    ("zone", "day", "start", "end", "expected"),
    [
        # New York springs forward at 02:00 EST -> 03:00 EDT: 4 wall hours are 3 real ones
        (
            "America/New_York",
            "2026-03-08",
            "00:00",
            "04:00",
            ["2026-03-08T05:00:00Z", "2026-03-08T06:00:00Z", "2026-03-08T07:00:00Z"],
        ),
        (
            "America/New_York",
            "2026-03-08",
            "01:00",
            "04:00",
            ["2026-03-08T06:00:00Z", "2026-03-08T07:00:00Z"],
        ),
        # ...and falls back at 02:00 EDT -> 01:00 EST: 3 wall hours are 4 real ones, 01:00 twice
        (
            "America/New_York",
            "2026-11-01",
            "00:00",
            "03:00",
            [
                "2026-11-01T04:00:00Z",
                "2026-11-01T05:00:00Z",
                "2026-11-01T06:00:00Z",
                "2026-11-01T07:00:00Z",
            ],
        ),
        (
            "America/New_York",
            "2026-11-01",
            "00:00",
            "04:00",
            [
                "2026-11-01T04:00:00Z",
                "2026-11-01T05:00:00Z",
                "2026-11-01T06:00:00Z",
                "2026-11-01T07:00:00Z",
                "2026-11-01T08:00:00Z",
            ],
        ),
        # London: 01:00 GMT -> 02:00 BST, then 02:00 BST -> 01:00 GMT
        (
            "Europe/London",
            "2026-03-29",
            "00:00",
            "03:00",
            ["2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z"],
        ),
        (
            "Europe/London",
            "2026-10-25",
            "00:00",
            "03:00",
            [
                "2026-10-24T23:00:00Z",
                "2026-10-25T00:00:00Z",
                "2026-10-25T01:00:00Z",
                "2026-10-25T02:00:00Z",
            ],
        ),
    ],
)
def test_a_range_across_the_clock_change_is_stepped_in_real_time(
    zone: str, day: str, start: str, end: str, expected: list[str]
) -> None:
    assert on_local_day(teacher(zone, start, end), day) == expected


@pytest.mark.parametrize(
    ("day", "expected_hours"),
    [
        ("2026-03-07", [14, 15, 16]),  # Saturday, EST (UTC-5)
        ("2026-03-08", [13, 14, 15]),  # spring-forward Sunday, already EDT (UTC-4)
        ("2026-03-09", [13, 14, 15]),
        ("2026-10-31", [13, 14, 15]),  # Saturday, still EDT
        ("2026-11-01", [14, 15, 16]),  # fall-back Sunday, EST again
        ("2026-11-02", [14, 15, 16]),
    ],
)
def test_ordinary_hours_follow_the_offset_of_the_day(day: str, expected_hours: list[int]) -> None:
    expected = [f"{day}T{hour:02d}:00:00Z" for hour in expected_hours]
    assert on_local_day(teacher("America/New_York", "09:00", "12:00"), day) == expected


def test_a_whole_week_across_spring_forward_has_no_gap_or_duplicate() -> None:
    availability = teacher("America/New_York", "09:00", "12:00")
    found = starts(availability, "2026-03-05T00:00:00Z", "2026-03-12T00:00:00Z")
    assert found == [
        f"2026-03-{day:02d}T{hour:02d}:00:00Z"
        for day in range(5, 12)
        for hour in ((14, 15, 16) if day < 8 else (13, 14, 15))
    ]


def test_a_range_boundary_in_the_skipped_hour_is_read_with_the_offset_before_the_jump() -> None:
    # 02:30 never happens on 2026-03-08 in New York; fold=0 reads it as 02:30 EST = 07:30Z
    availability = teacher("America/New_York", "02:30", "04:00", slotMinutes=30)
    assert on_local_day(availability, "2026-03-08") == ["2026-03-08T07:30:00Z"]


def test_a_zone_without_dst_gives_the_same_utc_times_every_day() -> None:
    availability = teacher("Asia/Kolkata", "09:00", "12:00")
    found = starts(availability, "2026-03-06T00:00:00Z", "2026-03-10T00:00:00Z")
    found += starts(availability, "2026-10-30T00:00:00Z", "2026-11-03T00:00:00Z")
    assert {stamp[11:] for stamp in found} == {"03:30:00Z", "04:30:00Z", "05:30:00Z"}
    assert len(found) == 8 * 3


def test_weekly_days_follow_javascript_sunday_zero() -> None:
    availability = teacher("UTC", "09:00", "10:00", days=[0])
    found = starts(availability, "2026-03-02T00:00:00Z", "2026-03-16T00:00:00Z")
    assert found == ["2026-03-08T09:00:00Z", "2026-03-15T09:00:00Z"]  # Sundays


def test_a_range_to_midnight_ends_at_the_next_days_start() -> None:
    availability = teacher("America/New_York", "22:00", "24:00", days=[6])
    found = on_local_day(availability, "2026-03-07")
    assert found == ["2026-03-08T03:00:00Z", "2026-03-08T04:00:00Z"]


def test_the_buffer_separates_slots_of_a_range() -> None:
    availability = teacher("UTC", "09:00", "12:00", slotMinutes=30, bufferMinutes=10)
    found = free_slots(
        availability, at("2026-03-02T00:00:00Z"), at("2026-03-03T00:00:00Z"), NOW, []
    )
    assert [slot.wire()["start"] for slot in found] == [
        "2026-03-02T09:00:00Z",
        "2026-03-02T09:40:00Z",
        "2026-03-02T10:20:00Z",
        "2026-03-02T11:00:00Z",
    ]
    assert found[0] == Slot(start=at("2026-03-02T09:00:00Z"), end=at("2026-03-02T09:30:00Z"))
    assert found[0].wire() == {"start": "2026-03-02T09:00:00Z", "end": "2026-03-02T09:30:00Z"}


@pytest.mark.parametrize(
    ("range_start", "busy", "free"),
    [
        # a session 09:00-10:00 with buffer 10 is busy until 10:10
        ("10:05", ("09:00", "10:10"), False),
        ("10:10", ("09:00", "10:10"), True),
        # a session from 10:00: a slot ending 09:55 would need its buffer until 10:05
        ("09:25", ("10:00", "10:40"), False),
        ("09:20", ("10:00", "10:40"), True),
    ],
)
def test_busy_sessions_block_slots_within_the_buffer_either_side(
    range_start: str, busy: tuple[str, str], free: bool
) -> None:
    availability = teacher("UTC", range_start, "11:00", slotMinutes=30, bufferMinutes=10)
    blocked = [(at(f"2026-03-02T{busy[0]}:00Z"), at(f"2026-03-02T{busy[1]}:00Z"))]
    found = starts(availability, "2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z", blocked)
    assert (f"2026-03-02T{range_start}:00Z" in found) is free


def test_busy_intervals_given_in_any_order_and_overlapping_are_all_honoured() -> None:
    availability = teacher("UTC", "09:00", "13:00")
    busy = [
        ("2026-03-02T12:00:00Z", "2026-03-02T12:30:00Z"),
        ("2026-03-02T09:00:00Z", "2026-03-02T09:30:00Z"),
        ("2026-03-02T09:15:00Z", "2026-03-02T10:15:00Z"),
    ]
    found = starts(
        availability,
        "2026-03-02T00:00:00Z",
        "2026-03-03T00:00:00Z",
        [(at(start), at(end)) for start, end in busy],
    )
    assert found == ["2026-03-02T11:00:00Z"]


@pytest.mark.parametrize(
    ("now", "first"),
    [
        ("2026-03-02T08:00:00Z", "2026-03-02T09:00:00Z"),  # now + 1 h is exactly 09:00: offered
        ("2026-03-02T08:01:00Z", "2026-03-02T10:00:00Z"),  # a minute later: 09:00 is too soon
    ],
)
def test_min_notice_edge(now: str, first: str) -> None:
    availability = teacher("UTC", "09:00", "12:00", minNoticeHours=1)
    found = free_slots(
        availability, at("2026-03-02T00:00:00Z"), at("2026-03-03T00:00:00Z"), at(now), []
    )
    assert found[0].wire()["start"] == first


@pytest.mark.parametrize(
    ("now", "last"),
    [
        ("2026-03-01T11:00:00Z", "2026-03-02T11:00:00Z"),  # now + 1 day is exactly 11:00: offered
        ("2026-03-01T10:59:00Z", "2026-03-02T10:00:00Z"),  # a minute earlier: 11:00 is too far
    ],
)
def test_max_days_ahead_edge(now: str, last: str) -> None:
    availability = teacher("UTC", "09:00", "12:00", maxDaysAhead=1)
    found = free_slots(
        availability, at("2026-03-02T00:00:00Z"), at("2026-03-03T00:00:00Z"), at(now), []
    )
    assert found[-1].wire()["start"] == last


def test_the_window_is_half_open() -> None:
    availability = teacher("UTC", "09:00", "12:00")
    assert starts(availability, "2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z") == [
        "2026-03-02T10:00:00Z"
    ]
    assert starts(availability, "2026-03-02T11:00:00Z", "2026-03-02T10:00:00Z") == []


def test_a_day_off_removes_the_day_and_other_hours_replace_the_weekly_ones() -> None:
    availability = teacher(
        "Europe/London",
        "09:00",
        "11:00",
        exceptions=[
            {"date": "2026-03-03", "available": False},
            {"date": "2026-03-04", "start": "14:00", "end": "15:00"},
            {"date": "2026-03-04", "start": "16:00", "end": "17:00"},
        ],
    )
    found = starts(availability, "2026-03-02T00:00:00Z", "2026-03-06T00:00:00Z")
    assert found == [
        "2026-03-02T09:00:00Z",
        "2026-03-02T10:00:00Z",
        "2026-03-04T14:00:00Z",
        "2026-03-04T16:00:00Z",
        "2026-03-05T09:00:00Z",
        "2026-03-05T10:00:00Z",
    ]


def test_is_bookable_only_for_a_start_free_slots_would_offer() -> None:
    availability = teacher("UTC", "09:00", "12:00", slotMinutes=30, bufferMinutes=10)
    now = at("2026-03-02T09:30:00Z")
    busy = [(at("2026-03-02T11:00:00Z"), at("2026-03-02T11:40:00Z"))]
    slot = Slot(start=at("2026-03-02T10:20:00Z"), end=at("2026-03-02T10:50:00Z"))
    assert is_bookable(availability, at("2026-03-02T10:20:00Z"), now, busy) == slot
    assert is_bookable(availability, at("2026-03-02T14:20:00+04:00"), now, busy) == slot
    assert is_bookable(availability, at("2026-03-02T10:30:00Z"), now, busy) is None  # off grid
    assert is_bookable(availability, at("2026-03-02T09:00:00Z"), now, busy) is None  # past
    assert is_bookable(availability, at("2026-03-02T11:00:00Z"), now, busy) is None  # busy
    assert is_bookable(availability, at("2026-03-02T10:20:00.5Z"), now, busy) is None
    with pytest.raises(ValueError, match="timezone-aware"):
        is_bookable(availability, datetime(2026, 3, 2, 10, 20), now, busy)


def test_lock_buckets_cover_the_session_and_its_buffer() -> None:
    buckets = lock_buckets(at("2026-03-02T09:00:00Z"), at("2026-03-02T09:30:00Z"), 10)
    assert len(buckets) == 8
    assert (buckets[0], buckets[-1]) == (at("2026-03-02T09:00:00Z"), at("2026-03-02T09:35:00Z"))
    assert all(bucket.tzinfo is UTC for bucket in buckets)
    assert len(lock_buckets(at("2026-03-02T09:00:00Z"), at("2026-03-02T12:00:00Z"), 0)) == 36


def test_lock_buckets_refuse_a_start_off_the_grid() -> None:
    with pytest.raises(ValueError, match="5-minute"):
        lock_buckets(at("2026-03-02T09:02:00Z"), at("2026-03-02T09:32:00Z"), 0)
    with pytest.raises(ValueError, match="5-minute"):
        lock_buckets(at("2026-03-02T09:00:30Z"), at("2026-03-02T09:30:30Z"), 0)


def test_buffered_ranges_share_a_bucket_exactly_when_they_conflict() -> None:
    base = at("2026-03-02T09:00:00Z")
    first = set(lock_buckets(base, base + timedelta(minutes=30), 10))
    assert first & set(lock_buckets(base + timedelta(minutes=35), base + timedelta(minutes=65), 10))
    assert not first & set(
        lock_buckets(base + timedelta(minutes=40), base + timedelta(minutes=70), 10)
    )
    assert not first & set(
        lock_buckets(base - timedelta(minutes=40), base - timedelta(minutes=10), 10)
    )
    # the same rule as free_slots' busy check, for every placement of a second booking
    for offset in range(-120, 125, 5):
        start = base + timedelta(minutes=offset)
        end = start + timedelta(minutes=30)
        conflicts = start < base + timedelta(minutes=40) and base < end + timedelta(minutes=10)
        shared = first & set(lock_buckets(start, end, 10))
        assert bool(shared) is conflicts, offset
