"""Users (served by the gateway through Clerk): onboarding, the caller's profile, settings."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import ConfigDict, Field

from shared.api.common import INVALID, error
from shared.api.spec import (
    Answer,
    Body,
    Operations,
    OperationSpec,
    Schema,
    boolean,
    envelope,
    nullable,
    obj,
    one_of_values,
    ref,
    string,
)
from shared.user_settings import DEFAULT_TIMEZONE
from shared.web.body import RequestBody, TimeZone

TAG = "users"
ROLE = one_of_values("student", "teacher")
FREQUENCY = one_of_values("immediate", "daily", "weekly")

SCHEMAS: dict[str, Schema] = {
    "Settings": obj(
        {
            "courseNotifications": boolean(),
            "emailAlerts": boolean(),
            "smsAlerts": boolean("Stored; there is no SMS provider."),
            "notificationFrequency": FREQUENCY,
        },
        {
            "timezone": string("IANA, default UTC: the times in mail."),
            "theme": string(maxLength=20),
        },
        description="Notification settings: the stored ones over the defaults.",
    ),
    "UserProfile": obj(
        {
            "userId": string(),
            "email": nullable(string()),
            "firstName": string(),
            "lastName": string(),
            "userType": nullable(ROLE),
            "settings": ref("Settings"),
        }
    ),
}

NO_USER = error("The token's user is unknown to Clerk (`user_not_found`).")
CLERK_DOWN = error("Clerk is unavailable or refused the request.")

THEME_MAX_CHARS = 20


class OnboardingBody(RequestBody):
    """The role the caller chooses, once."""

    model_config = ConfigDict(extra="forbid")
    INVALID: ClassVar[str] = "Choose student or teacher."
    NON_OBJECT_IS_A_FIELD_ERROR: ClassVar[bool] = True

    user_type: Literal["student", "teacher"]


class SettingsUpdate(RequestBody):
    """Every notification switch and the frequency; the time zone and theme when sent."""

    model_config = ConfigDict(extra="forbid")

    course_notifications: bool
    email_alerts: bool
    sms_alerts: bool
    """Stored; there is no SMS provider."""
    notification_frequency: Literal["immediate", "daily", "weekly"]
    timezone: TimeZone = DEFAULT_TIMEZONE
    """An IANA time zone: the times in mail."""
    theme: str = Field(default="", max_length=THEME_MAX_CHARS)

    def stored(self) -> dict[str, Any]:
        """The settings as Clerk keeps them: wire names, only the fields sent."""
        return self.model_dump(by_alias=True, exclude_unset=True)


class SettingsMetadata(RequestBody):
    model_config = ConfigDict(extra="forbid")

    settings: SettingsUpdate


class SettingsBody(RequestBody):
    """Only notification settings: any other key, anywhere (a role above all), is refused."""

    model_config = ConfigDict(extra="forbid")
    INVALID: ClassVar[str] = "Only notification settings can be changed here."
    NON_OBJECT_IS_A_FIELD_ERROR: ClassVar[bool] = True

    public_metadata: SettingsMetadata


OPERATIONS: Operations = {
    "POST /users/onboarding": OperationSpec(
        TAG,
        {
            200: Answer(
                "Saved; the role reaches the gateway in the next session token (refresh it).",
                envelope(obj({"userId": string(), "userType": ROLE})),
            ),
            400: INVALID,
            404: NO_USER,
            409: error("A role is already set (`role_already_set`)."),
            415: error("The body is not JSON."),
            503: CLERK_DOWN,
        },
        "Sets the caller's role once.",
        body=Body.of(OnboardingBody),
    ),
    "GET /users/me": OperationSpec(
        TAG,
        {
            200: Answer(
                "The caller's profile, read fresh from Clerk.", envelope(ref("UserProfile"))
            ),
            404: NO_USER,
            503: CLERK_DOWN,
        },
    ),
    "PUT /user/clerk/{userId}": OperationSpec(
        TAG,
        {
            200: Answer(
                "The saved settings.",
                envelope(obj({"userId": string(), "settings": ref("Settings")})),
            ),
            400: INVALID,
            404: NO_USER,
            415: error("The body is not JSON."),
            503: CLERK_DOWN,
        },
        "Only notification settings: any other key, anywhere (a role above all), is a 400.",
        body=Body.of(SettingsBody),
        path_params={"userId": string("The caller's own id.")},
    ),
}
