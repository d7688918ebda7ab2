"""What a user's notification settings allow: send now, collect for a digest, or skip."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from notifications.domain.mail import ALERT, COURSE, RECEIPT
from shared.user_settings import DEFAULT_TIMEZONE, is_timezone, settings_of

SEND, DIGEST, SKIP = "send", "digest", "skip"


@dataclass(frozen=True)
class Preferences:
    email_alerts: bool
    course_notifications: bool
    frequency: str
    timezone: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @classmethod
    def from_metadata(cls, public_metadata: dict[str, Any]) -> Preferences:
        settings = settings_of(public_metadata)
        zone = settings.get("timezone")
        return cls(
            email_alerts=settings.get("emailAlerts") is not False,
            course_notifications=settings.get("courseNotifications") is not False,
            frequency=str(settings.get("notificationFrequency") or "immediate"),
            timezone=str(zone) if is_timezone(zone) else DEFAULT_TIMEZONE,
        )


def decide(category: str, preferences: Preferences) -> str:
    """Receipts always go; emailAlerts off silences everything else; course notifications also
    honour courseNotifications and, when daily or weekly, wait for the digest."""
    if category == RECEIPT:
        return SEND
    if not preferences.email_alerts:
        return SKIP
    if category == ALERT:
        return SEND
    if category == COURSE and not preferences.course_notifications:
        return SKIP
    return DIGEST if preferences.frequency in ("daily", "weekly") else SEND
