"""The dev identity provider's user records, rendered as Clerk User objects."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from standins.clerk_api import dormant_user_fields, identification
from standins.clock import epoch_ms, now
from standins.ids import random_alphanumeric

METADATA_KINDS = ("public_metadata", "private_metadata", "unsafe_metadata")


def _clerk_id(prefix: str) -> str:
    return f"{prefix}_{random_alphanumeric(27)}"


@dataclass
class IdpUser:
    """One user: names, contact details and the three metadata bags Clerk keeps."""

    user_id: str
    email: str
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    metadata: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {kind: {} for kind in METADATA_KINDS}
    )
    email_id: str = field(default_factory=lambda: _clerk_id("idn"))
    phone_id: str = field(default_factory=lambda: _clerk_id("idn"))
    created_at: int = field(default_factory=lambda: epoch_ms(now()))
    updated_at: int = field(default_factory=lambda: epoch_ms(now()))

    def set_name(self, full_name: str) -> None:
        """Split a display name into Clerk's first and last name."""
        first, _, last = full_name.strip().partition(" ")
        self.first_name = first or None
        self.last_name = last.strip() or None

    def to_clerk(self) -> dict[str, Any]:
        """The Clerk Backend API User object (every field the SDK's `models.User` requires)."""
        stamps = (self.created_at, self.updated_at)
        email = identification("email_address", self.email_id, self.email, "email_code", *stamps)
        phones = (
            [identification("phone_number", self.phone_id, self.phone, "phone_code", *stamps)]
            if self.phone
            else []
        )
        return {
            "id": self.user_id,
            "object": "user",
            "username": None,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "image_url": "https://img.clerk.com/default-avatar",
            "has_image": False,
            "email_addresses": [email],
            "primary_email_address_id": self.email_id,
            "phone_numbers": phones,
            "primary_phone_number_id": self.phone_id if self.phone else None,
            **{kind: self.metadata[kind] for kind in METADATA_KINDS},
            "banned": False,
            "locked": False,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "last_sign_in_at": None,
            "last_active_at": None,
            **dormant_user_fields(),
        }


def deep_merge(base: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """Clerk's metadata merge: nested objects merge, a key set to null is removed."""
    merged = dict(base)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        elif isinstance(value, Mapping):
            merged[key] = deep_merge({}, value)
        else:
            merged[key] = value
    return merged


class UserStore:
    """Thread-safe in-memory user records keyed by user id."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users: dict[str, IdpUser] = {}

    def get(self, user_id: str) -> dict[str, Any] | None:
        """The Clerk User object, or None if unknown."""
        with self._lock:
            user = self._users.get(user_id)
            return user.to_clerk() if user else None

    def list(self, user_ids: list[str], limit: int, offset: int) -> list[dict[str, Any]]:
        """Users newest first, like Clerk's list endpoint, optionally restricted to some ids."""
        with self._lock:
            users = [
                user for user in self._users.values() if not user_ids or user.user_id in user_ids
            ]
            users.sort(key=lambda user: user.created_at, reverse=True)
            return [user.to_clerk() for user in users[offset : offset + limit]]

    def upsert(
        self,
        user_id: str,
        *,
        name: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        only_if_missing: bool = False,
    ) -> dict[str, Any]:
        """Create the user if missing; else update the given fields, unless `only_if_missing`."""
        with self._lock:
            user = self._users.get(user_id)
            if user is None:
                user = IdpUser(user_id=user_id, email=email or f"{user_id}@example.test")
                self._users[user_id] = user
            elif only_if_missing:
                return user.to_clerk()
            elif email:
                user.email = email
            if name:
                user.set_name(name)
            if phone:
                user.phone = phone
            user.updated_at = epoch_ms(now())
            return user.to_clerk()

    def update_metadata(
        self, user_id: str, changes: Mapping[str, Mapping[str, Any] | None], *, merge: bool
    ) -> dict[str, Any] | None:
        """Deep-merge (PATCH) or replace (PUT) the given metadata kinds; None if no such user."""
        with self._lock:
            user = self._users.get(user_id)
            if user is None:
                return None
            for kind, change in changes.items():
                if merge:
                    user.metadata[kind] = deep_merge(user.metadata[kind], change or {})
                else:
                    user.metadata[kind] = deep_merge({}, change or {})
            user.updated_at = epoch_ms(now())
            return user.to_clerk()
