"""Clerk Backend API client: user profiles (cached briefly) and public metadata."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import requests

from shared.config import ClerkSettings
from shared.http import new_session
from shared.web.errors import NotFound, Unavailable

PROFILE_TTL_SECONDS = 60.0


@dataclass(frozen=True)
class UserProfile:
    user_id: str
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    public_metadata: dict[str, Any]

    @property
    def display_name(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or (self.email or self.user_id)


def profile_from_user(user: dict[str, Any]) -> UserProfile:
    """Map Clerk's User object to the fields ProLearn uses."""
    emails = {e.get("id"): e.get("email_address") for e in user.get("email_addresses") or []}
    phones = {p.get("id"): p.get("phone_number") for p in user.get("phone_numbers") or []}
    return UserProfile(
        user_id=user["id"],
        first_name=user.get("first_name") or "",
        last_name=user.get("last_name") or "",
        email=emails.get(user.get("primary_email_address_id")) or next(iter(emails.values()), None),
        phone=phones.get(user.get("primary_phone_number_id")) or next(iter(phones.values()), None),
        public_metadata=dict(user.get("public_metadata") or {}),
    )


class ClerkClient:
    """Talks to Clerk's Backend API (or the dev identity provider, same shape)."""

    def __init__(self, settings: ClerkSettings, session: requests.Session | None = None) -> None:
        self._base = settings.api_url
        self._session = session or new_session()
        self._session.headers["Authorization"] = f"Bearer {settings.secret_key}"
        self._cache: dict[str, tuple[float, UserProfile]] = {}
        self._lock = threading.Lock()

    def get_user(self, user_id: str, *, fresh: bool = False) -> UserProfile:
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(user_id)
        if cached and not fresh and now - cached[0] < PROFILE_TTL_SECONDS:
            return cached[1]
        profile = profile_from_user(self._call("GET", f"/users/{user_id}"))
        with self._lock:
            self._cache[user_id] = (now, profile)
        return profile

    def merge_public_metadata(self, user_id: str, patch: dict[str, Any]) -> UserProfile:
        """PATCH …/metadata: a deep merge on Clerk's side."""
        user = self._call("PATCH", f"/users/{user_id}/metadata", {"public_metadata": patch})
        profile = profile_from_user(user)
        with self._lock:
            self._cache[user_id] = (time.monotonic(), profile)
        return profile

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        try:
            response = self._session.request(method, self._base + path, json=body, timeout=(2, 5))
        except requests.RequestException as exc:
            raise Unavailable(
                "The identity provider is unavailable.", code="clerk_unavailable"
            ) from exc
        if response.status_code == 404:
            raise NotFound("No such user.", code="user_not_found")
        if response.status_code >= 400:
            raise Unavailable("The identity provider refused the request.", code="clerk_error")
        result: dict[str, Any] = response.json()
        return result
