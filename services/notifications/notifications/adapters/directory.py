"""Who a user is for a mail: address, name and notification preferences, from Clerk."""

from __future__ import annotations

from dataclasses import dataclass

from notifications.domain.preferences import Preferences
from shared.clerk import ClerkClient


@dataclass(frozen=True)
class Recipient:
    user_id: str
    email: str | None
    first_name: str
    display_name: str
    preferences: Preferences


class Directory:
    def __init__(self, clerk: ClerkClient) -> None:
        self._clerk = clerk

    def recipient(self, user_id: str) -> Recipient:
        """Raises UserNotFound for a deleted user and ClerkFailed when Clerk cannot answer."""
        profile = self._clerk.get_user(user_id)
        return Recipient(
            user_id=user_id,
            email=profile.email,
            first_name=profile.first_name or profile.display_name,
            display_name=profile.display_name,
            preferences=Preferences.from_metadata(profile.public_metadata),
        )
