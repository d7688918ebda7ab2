"""When a user's digest goes out: the next digest hour of their day (weekly: on a Monday)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

MONDAY = 0


def next_digest_at(now: datetime, frequency: str, zone: ZoneInfo, hour: int) -> datetime:
    """The first digest hour strictly after `now` in the user's zone, in UTC (DST-correct)."""
    local_now = now.astimezone(zone)
    day = local_now.date()
    for offset in range(8 if frequency == "weekly" else 2):
        candidate_day = day + timedelta(days=offset)
        if frequency == "weekly" and candidate_day.weekday() != MONDAY:
            continue
        candidate = datetime.combine(candidate_day, time(hour), tzinfo=zone)
        if candidate > local_now:
            return candidate.astimezone(UTC)
    raise ValueError(f"no digest time after {now} for {frequency}")  # unreachable
