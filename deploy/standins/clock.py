"""Time helpers: Cashfree speaks ISO-8601 in IST, Clerk milliseconds since the epoch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

IST = timezone(timedelta(hours=5, minutes=30), "IST")


def now() -> datetime:
    """The current instant, timezone-aware."""
    return datetime.now(UTC)


def ist_iso(moment: datetime) -> str:
    """Format an instant the way Cashfree does, e.g. `2023-08-11T18:02:46+05:30`."""
    return moment.astimezone(IST).replace(microsecond=0).isoformat()


def epoch_ms(moment: datetime) -> int:
    """Milliseconds since the Unix epoch."""
    return int(moment.timestamp() * 1000)
