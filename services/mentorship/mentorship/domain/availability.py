"""A teacher's availability: weekly hours, dated exceptions and booking rules, checked, stored."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from shared.api import mentorship as api
from shared.invalid import Invalid
from shared.user_settings import is_timezone

DAY_MINUTES = 24 * 60
ZONE = re.compile(r"[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z][A-Za-z0-9_+-]*){0,2}")
"""IANA names only: every part starts with a letter, so no '..', no leading '/', no dots at all."""
NOT_ZONES = ("localtime", "posixrules", "Factory", "right/", "posix/")
"""Files in the zone directory that are not a place's clock (the host's, leap-second variants)."""


@dataclass(frozen=True)
class TimeRange:
    """Wall-clock hours of one local day, in minutes after midnight; an end of 1440 is 24:00."""

    start_minute: int
    end_minute: int


@dataclass(frozen=True)
class Availability:
    """When a teacher takes sessions; weekly keys are JavaScript days (0 = Sunday … 6 = Saturday),
    an exception's hours replace its date's weekly ones and an empty tuple is a day off."""

    timezone: str
    weekly: dict[int, tuple[TimeRange, ...]]
    slot_minutes: int
    buffer_minutes: int
    min_notice_hours: int
    max_days_ahead: int
    exceptions: dict[date, tuple[TimeRange, ...]]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def ranges_on(self, day: date) -> tuple[TimeRange, ...]:
        """That local date's hours: its exception if it has one, else its weekday's."""
        if day in self.exceptions:
            return self.exceptions[day]
        return self.weekly.get(day.isoweekday() % 7, ())


class AvailabilityInvalid(Invalid):
    """The availability names bad fields; details maps each (with its path) to its problem."""


def _is_zone(name: str) -> bool:
    """A zone a teacher can live in: a known IANA name, not a tz database's own file."""
    return bool(ZONE.fullmatch(name)) and not name.startswith(NOT_ZONES) and is_timezone(name)


def _minute(clock: str) -> int:
    """Minutes after midnight of an HH:MM as the body's Clock types let it through (on the grid,
    24:00 only for an end, which is 1440)."""
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _range(start: str | None, end: str | None, at: str, errors: dict[str, str]) -> TimeRange | None:
    """The hours from start to end; each one left out, or an end not after the start, named."""
    for name, clock in (("start", start), ("end", end)):
        if clock is None:
            errors[f"{at}.{name}"] = "required"
    if start is None or end is None:
        return None
    hours = TimeRange(_minute(start), _minute(end))
    if hours.end_minute <= hours.start_minute:
        errors[f"{at}.end"] = "must be after start"
        return None
    return hours


def _disjoint(
    entries: list[tuple[str, TimeRange]], errors: dict[str, str]
) -> tuple[TimeRange, ...]:
    """One day's ranges sorted by start; each that overlaps the one before it is named."""
    entries = sorted(entries, key=lambda entry: entry[1].start_minute)
    for (before_at, before), (at, hours) in pairwise(entries):
        if hours.start_minute < before.end_minute:
            errors[at] = f"overlaps {before_at} on the same day"
    return tuple(hours for _, hours in entries)


def _weekly(
    requested: Sequence[api.WeeklyHoursBody], errors: dict[str, str]
) -> dict[int, tuple[TimeRange, ...]]:
    by_day: dict[int, list[tuple[str, TimeRange]]] = {}
    for i, item in enumerate(requested):
        at = f"weekly[{i}]"
        hours = _range(item.start, item.end, at, errors)
        if hours is not None:
            by_day.setdefault(item.day, []).append((at, hours))
    return {day: _disjoint(entries, errors) for day, entries in sorted(by_day.items())}


def _exceptions(
    requested: Sequence[api.DateExceptionBody], errors: dict[str, str]
) -> dict[date, tuple[TimeRange, ...]]:
    """Each date a day off (`available: false` alone, once) or its own hours, never both."""
    days_off: dict[date, str] = {}
    hours_on: dict[date, list[tuple[str, TimeRange]]] = {}
    for i, item in enumerate(requested):
        at = f"exceptions[{i}]"
        if item.available is None:
            hours = _range(item.start, item.end, at, errors)
            if hours is not None:
                hours_on.setdefault(item.date, []).append((at, hours))
        elif {"start", "end"} & item.model_fields_set:  # even as null
            errors[f"{at}.available"] = "cannot be combined with start and end"
        elif item.date in days_off:
            errors[f"{at}.date"] = f"is already a day off in {days_off[item.date]}"
        else:
            days_off[item.date] = at
    for day, at in days_off.items():
        if day in hours_on:
            errors[f"{at}.date"] = f"mixes a day off with hours given in {hours_on[day][0][0]}"
    found = {day: _disjoint(entries, errors) for day, entries in hours_on.items()}
    return dict(sorted({**found, **dict.fromkeys(days_off, ())}.items()))


def availability_from(requested: api.AvailabilityBody) -> Availability:
    """The requested availability, held to the rules its body's types cannot say: a real IANA
    zone, ranges that end after they start and do not overlap on one day, a date either a day
    off or given hours. Every problem is named by its path, as the body's own checks name theirs
    (times and lengths on the grid, the numbers' limits, unknown fields)."""
    errors: dict[str, str] = {}
    if not _is_zone(requested.timezone):
        errors["timezone"] = "must be an IANA time zone such as Europe/London"
    availability = Availability(
        timezone=requested.timezone,
        weekly=_weekly(requested.weekly, errors),
        slot_minutes=requested.slot_minutes,
        buffer_minutes=requested.buffer_minutes,
        min_notice_hours=requested.min_notice_hours,
        max_days_ahead=requested.max_days_ahead,
        exceptions=_exceptions(requested.exceptions, errors),
    )
    if errors:
        raise AvailabilityInvalid(errors)
    return availability


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def as_saved(a: Availability) -> api.Availability:
    """The body that would set this availability again, sorted: what the API answers, and (as
    its wire, only str/int/bool/list/dict) what the table stores."""
    exceptions: list[api.DateExceptionBody] = []
    for day, ranges in sorted(a.exceptions.items()):
        if not ranges:
            exceptions.append(api.DateExceptionBody.model_construct(date=day, available=False))
        exceptions.extend(
            api.DateExceptionBody.model_construct(
                date=day, start=_clock(hours.start_minute), end=_clock(hours.end_minute)
            )
            for hours in ranges
        )
    return api.Availability.model_construct(
        timezone=a.timezone,
        weekly=tuple(
            api.WeeklyHoursBody.model_construct(
                day=day, start=_clock(hours.start_minute), end=_clock(hours.end_minute)
            )
            for day, ranges in sorted(a.weekly.items())
            for hours in ranges
        ),
        slot_minutes=a.slot_minutes,
        buffer_minutes=a.buffer_minutes,
        min_notice_hours=a.min_notice_hours,
        max_days_ahead=a.max_days_ahead,
        exceptions=tuple(exceptions),
    )


def _stored(item: Mapping[str, Any]) -> TimeRange:
    return TimeRange(_minute(str(item["start"])), _minute(str(item["end"])))


def availability_from_document(doc: Mapping[str, Any]) -> Availability:
    """Back from as_saved's wire, trusted (numbers may come back as Decimal)."""
    weekly: dict[int, list[TimeRange]] = {}
    for item in doc["weekly"]:
        weekly.setdefault(int(item["day"]), []).append(_stored(item))
    exceptions: dict[date, list[TimeRange]] = {}
    for item in doc["exceptions"]:
        ranges = exceptions.setdefault(date.fromisoformat(str(item["date"])), [])
        if "start" in item:
            ranges.append(_stored(item))
    return Availability(
        timezone=str(doc["timezone"]),
        weekly={day: tuple(ranges) for day, ranges in weekly.items()},
        slot_minutes=int(doc["slotMinutes"]),
        buffer_minutes=int(doc["bufferMinutes"]),
        min_notice_hours=int(doc["minNoticeHours"]),
        max_days_ahead=int(doc["maxDaysAhead"]),
        exceptions={day: tuple(ranges) for day, ranges in exceptions.items()},
    )
