"""UTC timestamps in the one ISO-8601 form used everywhere: 2026-11-25T10:00:00.000Z."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_iso() -> str:
    return iso(utc_now())


def iso_ago(seconds: float) -> str:
    return iso(utc_now() - timedelta(seconds=seconds))


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def as_utc_iso(value: str) -> str:
    """A provider's timestamp (any offset) in our UTC form, so that it sorts with ours; a value
    that is not ISO-8601 is kept as it came."""
    try:
        moment = parse_iso(value)
    except ValueError:
        return value
    return iso(moment) if moment.tzinfo is not None else value
