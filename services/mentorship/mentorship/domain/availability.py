"""A teacher's availability: weekly hours, dated exceptions and booking rules, parsed and stored."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from shared.invalid import Invalid
from shared.user_settings import is_timezone

DAY_MINUTES = 24 * 60
GRID_MINUTES = 5
"""Every time and length sits on this grid: bookings are locked in 5-minute buckets."""
LIMITS = {
    "slotMinutes": (15, 180, GRID_MINUTES),
    "bufferMinutes": (0, 60, GRID_MINUTES),
    "minNoticeHours": (0, 720, 1),
    "maxDaysAhead": (1, 365, 1),
}
"""Lowest, highest and the multiple each number must be."""
FIELDS = ("timezone", "weekly", "exceptions", *LIMITS)
MAX_WEEKLY, MAX_EXCEPTIONS = 200, 500
CLOCK = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
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


def _unknown(
    item: Mapping[str, Any], allowed: tuple[str, ...], at: str, errors: dict[str, str]
) -> None:
    for name in item:
        if name not in allowed:
            errors[f"{at}{name}"] = "is not a field you can set"


def _is_zone(name: str) -> bool:
    """A zone a teacher can live in: a known IANA name, not a tz database's own file."""
    return bool(ZONE.fullmatch(name)) and not name.startswith(NOT_ZONES) and is_timezone(name)


def _timezone(value: Any, errors: dict[str, str]) -> str:
    if not isinstance(value, str) or not _is_zone(value):
        errors["timezone"] = "must be an IANA time zone such as Europe/London"
        return "UTC"
    return value


def _number(body: Mapping[str, Any], name: str, errors: dict[str, str]) -> int:
    low, high, multiple = LIMITS[name]
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors[name] = f"must be a whole number from {low} to {high}"
        return low
    if value % multiple:
        errors[name] = f"must be a multiple of {multiple}"
        return low
    return value


def _minute(value: Any, at: str, errors: dict[str, str], *, end: bool) -> int | None:
    if end and value == "24:00":
        return DAY_MINUTES
    match = CLOCK.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        errors[at] = "must be a time HH:MM" + (", or 24:00 for the end of the day" if end else "")
        return None
    minute = int(match[1]) * 60 + int(match[2])
    if minute % GRID_MINUTES:
        errors[at] = f"must be a multiple of {GRID_MINUTES} minutes"
        return None
    return minute


def _range(item: Mapping[str, Any], at: str, errors: dict[str, str]) -> TimeRange | None:
    start = _minute(item.get("start"), f"{at}.start", errors, end=False)
    end = _minute(item.get("end"), f"{at}.end", errors, end=True)
    if start is None or end is None:
        return None
    if end <= start:
        errors[f"{at}.end"] = "must be after start"
        return None
    return TimeRange(start, end)


def _disjoint(
    entries: list[tuple[str, TimeRange]], errors: dict[str, str]
) -> tuple[TimeRange, ...]:
    """One day's ranges sorted by start; each that overlaps the one before it is named."""
    entries = sorted(entries, key=lambda entry: entry[1].start_minute)
    for (before_at, before), (at, hours) in pairwise(entries):
        if hours.start_minute < before.end_minute:
            errors[at] = f"overlaps {before_at} on the same day"
    return tuple(hours for _, hours in entries)


def _list(raw: Any, name: str, most: int, errors: dict[str, str]) -> list[Any]:
    if not isinstance(raw, list) or len(raw) > most:
        errors[name] = f"must be an array of at most {most} entries"
        return []
    return raw


def _weekly(raw: Any, errors: dict[str, str]) -> dict[int, tuple[TimeRange, ...]]:
    by_day: dict[int, list[tuple[str, TimeRange]]] = {}
    for i, item in enumerate(_list(raw, "weekly", MAX_WEEKLY, errors)):
        at = f"weekly[{i}]"
        if not isinstance(item, dict):
            errors[at] = "must be an object"
            continue
        _unknown(item, ("day", "start", "end"), f"{at}.", errors)
        day = item.get("day")
        if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
            errors[f"{at}.day"] = "must be a whole number from 0 (Sunday) to 6 (Saturday)"
            day = None
        hours = _range(item, at, errors)
        if day is not None and hours is not None:
            by_day.setdefault(day, []).append((at, hours))
    return {day: _disjoint(entries, errors) for day, entries in sorted(by_day.items())}


def _date(value: Any, at: str, errors: dict[str, str]) -> date | None:
    try:
        if isinstance(value, str) and DATE.fullmatch(value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    errors[at] = "must be a real date YYYY-MM-DD"
    return None


def _exceptions(raw: Any, errors: dict[str, str]) -> dict[date, tuple[TimeRange, ...]]:
    days_off: dict[date, str] = {}
    hours_on: dict[date, list[tuple[str, TimeRange]]] = {}
    for i, item in enumerate(_list(raw, "exceptions", MAX_EXCEPTIONS, errors)):
        at = f"exceptions[{i}]"
        if not isinstance(item, dict):
            errors[at] = "must be an object"
            continue
        _unknown(item, ("date", "available", "start", "end"), f"{at}.", errors)
        day = _date(item.get("date"), f"{at}.date", errors)
        if "available" not in item:
            hours = _range(item, at, errors)
            if day is not None and hours is not None:
                hours_on.setdefault(day, []).append((at, hours))
        elif item["available"] is not False:
            errors[f"{at}.available"] = "must be false (a day off); leave it out to give hours"
        elif "start" in item or "end" in item:
            errors[f"{at}.available"] = "cannot be combined with start and end"
        elif day in days_off:
            errors[f"{at}.date"] = f"is already a day off in {days_off[day]}"
        elif day is not None:
            days_off[day] = at
    for day, at in days_off.items():
        if day in hours_on:
            errors[f"{at}.date"] = f"mixes a day off with hours given in {hours_on[day][0][0]}"
    found = {day: _disjoint(entries, errors) for day, entries in hours_on.items()}
    return dict(sorted({**found, **dict.fromkeys(days_off, ())}.items()))


def parse_availability(body: dict[str, Any]) -> Availability:
    """The PUT body, validated; every problem is named by its path, unknown fields included."""
    errors: dict[str, str] = {}
    _unknown(body, FIELDS, "", errors)
    availability = Availability(
        timezone=_timezone(body.get("timezone"), errors),
        weekly=_weekly(body.get("weekly"), errors),
        slot_minutes=_number(body, "slotMinutes", errors),
        buffer_minutes=_number(body, "bufferMinutes", errors),
        min_notice_hours=_number(body, "minNoticeHours", errors),
        max_days_ahead=_number(body, "maxDaysAhead", errors),
        exceptions=_exceptions(body.get("exceptions", []), errors),
    )
    if errors:
        raise AvailabilityInvalid(errors)
    return availability


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _hours(hours: TimeRange) -> dict[str, str]:
    return {"start": _clock(hours.start_minute), "end": _clock(hours.end_minute)}


def availability_document(a: Availability) -> dict[str, Any]:
    """The API's JSON shape, sorted; only str/int/bool/list/dict, so it stores as a DynamoDB map."""
    exceptions: list[dict[str, Any]] = []
    for day, ranges in sorted(a.exceptions.items()):
        if not ranges:
            exceptions.append({"date": day.isoformat(), "available": False})
        exceptions.extend({"date": day.isoformat(), **_hours(hours)} for hours in ranges)
    return {
        "timezone": a.timezone,
        "weekly": [
            {"day": day, **_hours(hours)}
            for day, ranges in sorted(a.weekly.items())
            for hours in ranges
        ],
        "slotMinutes": a.slot_minutes,
        "bufferMinutes": a.buffer_minutes,
        "minNoticeHours": a.min_notice_hours,
        "maxDaysAhead": a.max_days_ahead,
        "exceptions": exceptions,
    }


def _stored(item: Mapping[str, Any]) -> TimeRange:
    start, end = (str(item[name]).split(":") for name in ("start", "end"))
    return TimeRange(int(start[0]) * 60 + int(start[1]), int(end[0]) * 60 + int(end[1]))


def availability_from_document(doc: Mapping[str, Any]) -> Availability:
    """Back from availability_document's shape, trusted (numbers may come back as Decimal)."""
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
