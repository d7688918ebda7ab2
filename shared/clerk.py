"""Clerk Backend API through the official SDK: user profiles (cached briefly), public metadata."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from clerk_backend_api import Clerk
from clerk_backend_api.models import ClerkBaseError, NoResponseError, User
from clerk_backend_api.utils import serializers
from pydantic import BaseModel, ConfigDict, create_model

from shared.config import ClerkSettings, held_secret
from shared.hold import BriefHold
from shared.http import segment

PROFILE_TTL_SECONDS = 60.0
MAX_PROFILES = 10_000
TIMEOUT = httpx.Timeout(5.0, connect=2.0)


class UserNotFound(LookupError):
    """Clerk knows no user with this id."""


class ClerkFailed(Exception):
    """Clerk gave no usable answer; trying again later may work."""


class ClerkUnavailable(ClerkFailed):
    """Clerk could not be reached, or dropped the connection before answering."""


class ClerkRefused(ClerkFailed):
    """Clerk answered with an error other than "no such user" (a bad key, a bad request)."""


_UNMARSHALLERS: dict[Any, type[BaseModel]] = {}
_UNMARSHALLERS_LOCK = threading.Lock()


def _unmarshal(val: Any, typ: Any, coerce_iterables: bool = True) -> Any:
    """The SDK's `serializers.unmarshal`, with the wrapper model it builds for `typ` made once
    instead of on every response: building it was 2.3 of the 3.4 ms of CPU a `users.get` cost.
    The model is the same each time, so the parsed value is too."""
    if coerce_iterables:
        val = serializers._coerce_iterables_for_type(val, typ)
    try:
        model, cacheable = _UNMARSHALLERS.get(typ), True
    except TypeError:  # an unhashable type annotation: build the model as the SDK does
        model, cacheable = None, False
    if model is None:
        model = create_model(
            "Unmarshaller",
            body=(typ, ...),
            __config__=ConfigDict(populate_by_name=True, arbitrary_types_allowed=True),
        )
        if cacheable:
            with _UNMARSHALLERS_LOCK:
                _UNMARSHALLERS.setdefault(typ, model)
    return model(body=val).body  # type: ignore[attr-defined]


SDK_UNMARSHAL = serializers.unmarshal
"""The SDK's own function, kept so a test can check ours parses exactly as it does."""
PATCHED_SDK_VERSION = "7.0.0"
"""The clerk-backend-api release `_unmarshal` was read from; a test fails on any other."""
serializers.unmarshal = _unmarshal


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
    """Talks to Clerk's Backend API (or the dev identity provider, same shape) via one SDK client.

    The SDK's own default retries 5xx and connection errors with backoff for up to an hour, so it
    is switched off: a request thread fails fast with 503 instead. The httpx client is shared by
    all threads (or greenlets); its timeout splits connect from read, which `timeout_ms` cannot.
    The SDK puts a user id into the URL as it is, so it is encoded here.
    """

    def __init__(self, settings: ClerkSettings, http_client: httpx.Client | None = None) -> None:
        sdk = Clerk(
            bearer_auth=held_secret(settings.secret_key, "CLERK_SECRET_KEY"),
            server_url=settings.api_url,
            client=http_client or httpx.Client(timeout=TIMEOUT, trust_env=False),
            retry_config=None,
        )
        self._users = sdk.users  # resolved now, not on a first request: the SDK imports it lazily
        self._profiles: BriefHold[str, UserProfile] = BriefHold(PROFILE_TTL_SECONDS, MAX_PROFILES)

    def get_user(self, user_id: str, *, fresh: bool = False) -> UserProfile:
        cached = None if fresh else self._profiles.get(user_id)
        if cached is not None:
            return cached
        profile = _call(lambda: self._users.get(user_id=segment(user_id)))
        self._profiles.put(user_id, profile)
        return profile

    def merge_public_metadata(self, user_id: str, patch: dict[str, Any]) -> UserProfile:
        """PATCH …/metadata: a deep merge on Clerk's side."""
        profile = _call(
            lambda: self._users.update_metadata(user_id=segment(user_id), public_metadata=patch)
        )
        self._profiles.put(user_id, profile)
        return profile


def _sent(request: Callable[[], User]) -> User:
    """The SDK call, made once more if its kept-alive connection dropped before any answer (the
    server closed it, idle, as it was reused): reading a user, or merging the same metadata
    again, is safe to repeat. The SDK's own retries are off (see ClerkClient)."""
    try:
        return request()
    except httpx.RemoteProtocolError:
        return request()


def _call(request: Callable[[], User]) -> UserProfile:
    """Run one SDK call; map its errors to ours and its User model to a profile."""
    try:
        user = _sent(request)
    except (httpx.TransportError, NoResponseError) as exc:
        raise ClerkUnavailable(str(exc)) from exc
    except ClerkBaseError as exc:
        if exc.status_code == 404:
            raise UserNotFound(str(exc)) from exc
        raise ClerkRefused(str(exc)) from exc
    return profile_from_user(user.model_dump())
