"""The gateway's own answers (profile, role, settings) keep their shapes field for field, in
order, now that they are the models of shared/api/users.py."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.users import profile_of
from shared.api.users import Settings, UserRole, UserSettings
from shared.clerk import UserProfile

DEFAULTS = {
    "courseNotifications": True,
    "emailAlerts": True,
    "smsAlerts": False,
    "notificationFrequency": "immediate",
    "timezone": "UTC",
}


def clerk_profile(metadata: dict[str, Any], email: str | None = "a@x.io") -> UserProfile:
    return UserProfile("u1", "Zoë", "Rao", email, None, metadata)


def test_a_profile_is_clerks_fields_the_role_and_the_default_settings() -> None:
    wire = profile_of(clerk_profile({}, email=None)).wire()
    assert wire == {
        "userId": "u1",
        "email": None,
        "firstName": "Zoë",
        "lastName": "Rao",
        "userType": None,
        "settings": DEFAULTS,
    }
    assert list(wire) == ["userId", "email", "firstName", "lastName", "userType", "settings"]
    assert list(wire["settings"]) == list(DEFAULTS)  # no theme key until one is stored


@pytest.mark.parametrize(
    ("metadata", "role"),
    [
        ({"userType": "teacher"}, "teacher"),
        ({"role": "student"}, "student"),
        ({"userType": "admin"}, None),
    ],
)
def test_the_role_is_the_metadatas_first_valid_one(
    metadata: dict[str, Any], role: str | None
) -> None:
    assert profile_of(clerk_profile(metadata)).wire()["userType"] == role


def test_stored_settings_override_the_defaults_and_a_theme_is_answered_last() -> None:
    stored = {"theme": "dark", "smsAlerts": True, "timezone": "Asia/Kolkata"}
    settings = profile_of(clerk_profile({"settings": stored})).wire()["settings"]
    assert settings == {**DEFAULTS, "smsAlerts": True, "timezone": "Asia/Kolkata", "theme": "dark"}
    assert list(settings) == [*DEFAULTS, "theme"]


def test_keys_earlier_clients_stored_are_answered_as_they_are() -> None:
    stored = {"bio": "Teacher ✓", "notificationFrequency": "daily", "extra": {"x": [1, 2]}}
    settings = Settings.of({"settings": stored}).wire()
    assert settings == {**DEFAULTS, "notificationFrequency": "daily", **stored}
    assert list(settings) == [*DEFAULTS, "bio", "extra"]


def test_settings_that_are_not_an_object_are_the_defaults() -> None:
    assert Settings.of({"settings": "oops"}).wire() == DEFAULTS


def test_the_onboarding_and_settings_answers() -> None:
    assert list(UserRole(user_id="u1", user_type="student").wire().items()) == [
        ("userId", "u1"),
        ("userType", "student"),
    ]
    saved = UserSettings(user_id="u1", settings=Settings.of({})).wire()
    assert list(saved) == ["userId", "settings"] and saved["settings"] == DEFAULTS
