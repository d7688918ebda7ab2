"""The /users endpoints the gateway serves itself, backed by the user's Clerk public metadata."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, request

from shared.api import users as api
from shared.auth.access import current_principal
from shared.auth.principal import role_from_claims
from shared.clerk import ClerkClient, UserProfile
from shared.web.body import B, parse_body
from shared.web.errors import ApiError, Conflict
from shared.web.responses import ok


class UserEndpoints:
    """Onboarding (the role, set once), the caller's profile, and notification settings."""

    def __init__(self, clerk: ClerkClient) -> None:
        self._clerk = clerk

    def handlers(self) -> dict[str, Callable[[], Response]]:
        """Handlers keyed by their route's endpoint (`METHOD path`) in the route table."""
        return {
            "POST /users/onboarding": self.onboard,
            "GET /users/me": self.me,
            "PUT /user/clerk/<userId>": self.update_settings,
        }

    def onboard(self) -> Response:
        user_type = _parsed(api.OnboardingBody).user_type
        user_id = current_principal().user_id
        metadata = self._clerk.get_user(user_id, fresh=True).public_metadata
        if metadata.get("userType") or metadata.get("role"):
            raise Conflict("Your role is already set.", code="role_already_set")
        self._clerk.merge_public_metadata(user_id, {"userType": user_type})
        return ok(
            api.UserRole(user_id=user_id, user_type=user_type).wire(),
            "Role saved; refresh your session to use it.",
        )

    def me(self) -> Response:
        profile = self._clerk.get_user(current_principal().user_id, fresh=True)
        return ok(profile_of(profile).wire(), "Your profile.")

    def update_settings(self) -> Response:
        body = _parsed(api.SettingsBody)
        settings = body.public_metadata.settings.stored()
        user_id = current_principal().user_id
        profile = self._clerk.merge_public_metadata(user_id, {"settings": settings})
        saved = api.UserSettings(user_id=user_id, settings=api.Settings.of(profile.public_metadata))
        return ok(saved.wire(), "User updated successfully!")


def profile_of(profile: UserProfile) -> api.UserProfile:
    """The caller's profile: Clerk's fields, the role its metadata names, and the settings."""
    return api.UserProfile(
        user_id=profile.user_id,
        email=profile.email,
        first_name=profile.first_name,
        last_name=profile.last_name,
        user_type=role_from_claims({"metadata": profile.public_metadata}),
        settings=api.Settings.of(profile.public_metadata),
    )


def _parsed(model: type[B]) -> B:
    """A body of the gateway's own endpoints, which no upstream checks after it: 415 unless sent
    as JSON, then `model`'s checks."""
    if not request.is_json:
        raise ApiError("Send a JSON body.", status=415, code="unsupported_media_type")
    return parse_body(model)
