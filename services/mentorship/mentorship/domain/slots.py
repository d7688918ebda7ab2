"""Bookable slots from a teacher's availability, stepped in real time so DST days come out right."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from mentorship.domain.availability import DAY_MINUTES, Availability, TimeRange
from shared.api.mentorship import GRID_MINUTES, Slot

BUCKET = timedelta(minutes=GRID_MINUTES)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_DAY = timedelta(days=1)


def _utc(moment: datetime, name: str) -> datetime:
    if moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return moment.astimezone(UTC)


def _instant(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local day's wall-clock minute; minute 1440 is the next day's 00:00.

    The wall time is read with fold=0 (datetime's default). A time that happens twice (the hour
    repeated when clocks fall back) is its first occurrence. A time that never happens (the hour
    skipped when clocks spring forward) is read with the offset in force before the jump, so it
    lands that far after the jump: 02:30 on New York's spring-forward day is 02:30 EST, which is
    03:30 EDT.
    """
    wall = time(minute % DAY_MINUTES // 60, minute % 60)
    return datetime.combine(day + timedelta(days=minute // DAY_MINUTES), wall, zone).astimezone(UTC)


def _range_starts(
    a: Availability, day: date, hours: TimeRange, zone: ZoneInfo
) -> Iterator[datetime]:
    """Slot k starts k * (slot + buffer) of real time after the range's start, ending by its end."""
    start, end = _instant(day, hours.start_minute, zone), _instant(day, hours.end_minute, zone)
    length = timedelta(minutes=a.slot_minutes)
    step = length + timedelta(minutes=a.buffer_minutes)
    while start + length <= end:
        yield start
        start += step


class _Busy:
    """Booked sessions as (start, end + buffer), merged into disjoint sorted intervals."""

    def __init__(self, busy: Sequence[tuple[datetime, datetime]]) -> None:
        self._starts: list[datetime] = []
        self._ends: list[datetime] = []
        for start, end in sorted((_utc(s, "busy start"), _utc(e, "busy end")) for s, e in busy):
            if self._ends and start <= self._ends[-1]:
                self._ends[-1] = max(self._ends[-1], end)
            else:
                self._starts.append(start)
                self._ends.append(end)

    def clashes(self, start: datetime, until: datetime) -> bool:
        """start < busy end and busy start < until for some busy interval; they are disjoint and
        sorted, so only the last one starting before until can."""
        i = bisect_left(self._starts, until) - 1
        return i >= 0 and start < self._ends[i]


def free_slots(
    availability: Availability,
    window_start: datetime,
    window_end: datetime,
    now: datetime,
    busy: Sequence[tuple[datetime, datetime]],
) -> list[Slot]:
    """Every bookable slot starting in [window_start, window_end), sorted: inside the teacher's
    hours, at least min notice from now, at most max days ahead, clear of busy ± buffer."""
    zone = availability.zone
    now = _utc(now, "now")
    earliest = max(
        _utc(window_start, "window_start"), now + timedelta(hours=availability.min_notice_hours)
    )
    stop = _utc(window_end, "window_end")
    latest = min(stop, now + timedelta(days=availability.max_days_ahead))
    if earliest > latest or earliest >= stop:
        return []
    length = timedelta(minutes=availability.slot_minutes)
    blocked = length + timedelta(minutes=availability.buffer_minutes)
    booked = _Busy(busy)
    found: dict[datetime, Slot] = {}
    # From the day before: when a jump straddles midnight, a range's last slots can start on the
    # next local date.
    day = earliest.astimezone(zone).date() - ONE_DAY
    while day <= latest.astimezone(zone).date():
        for hours in availability.ranges_on(day):
            for start in _range_starts(availability, day, hours, zone):
                fits = earliest <= start <= latest and start < stop
                if fits and not booked.clashes(start, start + blocked):
                    found.setdefault(start, Slot(start=start, end=start + length))
        day += ONE_DAY
    return [found[start] for start in sorted(found)]


def is_bookable(
    availability: Availability,
    start: datetime,
    now: datetime,
    busy: Sequence[tuple[datetime, datetime]],
) -> Slot | None:
    """The slot starting exactly at start, if free_slots would offer it."""
    start = _utc(start, "start")
    offered = free_slots(availability, start, start + timedelta.resolution, now, busy)
    return offered[0] if offered else None


def lock_buckets(start: datetime, end: datetime, buffer_minutes: int) -> list[datetime]:
    """The 5-minute UTC buckets covering [start, end + buffer): two bookings whose buffered ranges
    overlap always share one, and ranges that merely touch share none."""
    start, stop = _utc(start, "start"), _utc(end, "end") + timedelta(minutes=buffer_minutes)
    if (start - EPOCH) % BUCKET:
        raise ValueError(f"start must be on a {GRID_MINUTES}-minute boundary")
    if stop <= start:
        raise ValueError("end plus buffer must be after start")
    buckets = []
    while start < stop:
        buckets.append(start)
        start += BUCKET
    return buckets
