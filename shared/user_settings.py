"""A user's notification settings as the frontend saves them in Clerk's public metadata."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "UTC"
DEFAULT_SETTINGS: dict[str, Any] = {
    "courseNotifications": True,
    "emailAlerts": True,
    "smsAlerts": False,
    "notificationFrequency": "immediate",
    "timezone": DEFAULT_TIMEZONE,
}
SWITCHES = ("courseNotifications", "emailAlerts", "smsAlerts")
FREQUENCIES = ("immediate", "daily", "weekly")


def settings_of(public_metadata: dict[str, Any]) -> dict[str, Any]:
    """The user's stored settings over the defaults."""
    stored = public_metadata.get("settings")
    return {**DEFAULT_SETTINGS, **(stored if isinstance(stored, dict) else {})}


def is_timezone(name: object) -> bool:
    """An IANA zone name this machine's tz database knows (`Asia/Kolkata`, `UTC`)."""
    if not isinstance(name, str) or not name or len(name) > 64:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as "America"
        return False
    return True
