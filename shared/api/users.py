"""Users (served by the gateway through Clerk): onboarding, the caller's profile, settings."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import ConfigDict, Field
from pydantic.experimental.missing_sentinel import MISSING

from shared.api.common import INVALID, error
from shared.api.spec import (
    Answer,
    Body,
    Operations,
    OperationSpec,
    ResponseModel,
    Schema,
    component_schemas,
    envelope,
    ref,
    string,
)
from shared.user_settings import DEFAULT_TIMEZONE, settings_of
from shared.web.body import RequestBody, TimeZone

TAG = "users"
THEME_MAX_CHARS = 20

Role = Literal["student", "teacher"]
Frequency = Literal["immediate", "daily", "weekly"]


class Settings(ResponseModel):
    """Notification settings: the stored ones over the defaults."""

    model_config = ConfigDict(extra="allow")

    course_notifications: bool
    email_alerts: bool
    sms_alerts: bool
    """Stored; there is no SMS provider."""
    notification_frequency: Frequency
    timezone: str = DEFAULT_TIMEZONE
    """IANA, default UTC: the times in mail."""
    theme: str | MISSING = Field(default=MISSING, max_length=THEME_MAX_CHARS)
    """Absent until one is saved."""

    @classmethod
    def of(cls, public_metadata: dict[str, Any]) -> Settings:
        """The user's settings as Clerk keeps them, not validated: earlier clients wrote there
        too, and what they stored (other keys among it) is answered as it is."""
        return cls.model_construct(**settings_of(public_metadata))


class UserProfile(ResponseModel):
    user_id: str
    email: str | None
    first_name: str
    last_name: str
    user_type: Role | None
    settings: Settings


class UserRole(ResponseModel):
    """The role the caller chose."""

    user_id: str
    user_type: Role


class UserSettings(ResponseModel):
    """The caller's settings, as saved."""

    user_id: str
    settings: Settings


SCHEMAS: dict[str, Schema] = component_schemas(UserProfile, UserRole, UserSettings)

NO_USER = error("The token's user is unknown to Clerk (`user_not_found`).")
CLERK_DOWN = error("Clerk is unavailable or refused the request.")


class OnboardingBody(RequestBody):
    """The role the caller chooses, once."""

    model_config = ConfigDict(extra="forbid")
    INVALID: ClassVar[str] = "Choose student or teacher."
    NON_OBJECT_IS_A_FIELD_ERROR: ClassVar[bool] = True

    user_type: Role


class SettingsUpdate(RequestBody):
    """Every notification switch and the frequency; the time zone and theme when sent."""

    model_config = ConfigDict(extra="forbid")

    course_notifications: bool
    email_alerts: bool
    sms_alerts: bool
    """Stored; there is no SMS provider."""
    notification_frequency: Frequency
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
                envelope(ref("UserRole")),
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
                envelope(ref("UserSettings")),
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
