"""Users (served by the gateway through Clerk): onboarding, the caller's profile, settings."""

from __future__ import annotations

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

SETTINGS_UPDATE = obj(
    {
        "courseNotifications": boolean(),
        "emailAlerts": boolean(),
        "smsAlerts": boolean(),
        "notificationFrequency": FREQUENCY,
    },
    {"timezone": string("An IANA time zone."), "theme": string(maxLength=20)},
    closed=True,
)

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
        body=Body(obj({"userType": ROLE}, closed=True)),
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
        body=Body(
            obj({"publicMetadata": obj({"settings": SETTINGS_UPDATE}, closed=True)}, closed=True)
        ),
        path_params={"userId": string("The caller's own id.")},
    ),
}
