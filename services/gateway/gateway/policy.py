"""Auth rules per route: token, role, self, and the onboarding-only rule for role-less users."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Response

from gateway.routes import Auth, Route
from shared.auth.access import optional_principal, require_auth
from shared.auth.principal import Role

View = Callable[..., Response]

_ROLES: dict[Auth, Role] = {Auth.STUDENT: "student", Auth.TEACHER: "teacher"}


def guard(route: Route, view: View) -> View:
    """Wrap `view` so it runs only for callers `route.auth` admits (401/403 otherwise)."""
    if route.auth is Auth.PUBLIC:
        return view
    if route.auth is Auth.OPTIONAL:

        @wraps(view)
        def optional(**params: str) -> Response:
            optional_principal()
            return view(**params)

        return optional
    return require_auth(
        _ROLES.get(route.auth),
        self_param=route.self_param,
        allow_no_role=route.auth is Auth.NO_ROLE_OK,
    )(view)
