"""Flask decorators: who may call an endpoint (signed in, role, self, internal)."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from flask import current_app, g, request

from shared.auth.principal import Principal, Role
from shared.auth.tokens import TokenVerifier
from shared.web.errors import Forbidden, Unauthorized

P = ParamSpec("P")
R = TypeVar("R")


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


BEARER_SUBPROTOCOL = "bearer."


def websocket_token() -> tuple[str | None, str | None]:
    """A WebSocket handshake's token (browsers can't set headers): the `bearer.<jwt>`
    subprotocol or `?token=`, then the Authorization header; with the subprotocol that carried
    it, which the server must echo when it is the only one offered."""
    offered = [p.strip() for p in request.headers.get("Sec-WebSocket-Protocol", "").split(",")]
    for protocol in offered:
        if protocol.startswith(BEARER_SUBPROTOCOL) and len(protocol) > len(BEARER_SUBPROTOCOL):
            return protocol[len(BEARER_SUBPROTOCOL) :], protocol
    return request.args.get("token") or bearer_token(), None


def verify_token(token: str | None) -> Principal:
    """The principal a token names (401 when it is missing or invalid)."""
    if not token:
        raise Unauthorized("Sign in to continue.", code="token_missing")
    principal = _verifier().verify(token)
    g.principal = principal
    return principal


def _verifier() -> TokenVerifier:
    verifier: TokenVerifier | None = current_app.extensions.get("token_verifier")
    if verifier is None:
        verifier = TokenVerifier(current_app.config["SETTINGS"].clerk)
        current_app.extensions["token_verifier"] = verifier
    return verifier


def authenticate() -> Principal:
    """The verified caller of this request (401 when there is none)."""
    principal: Principal | None = g.get("principal")
    if principal is not None:
        return principal
    return verify_token(bearer_token())


def optional_principal() -> Principal | None:
    """The caller when a valid token is present; anonymous otherwise (a bad token is still 401)."""
    return authenticate() if bearer_token() else None


def current_principal() -> Principal:
    principal: Principal = g.principal
    return principal


def require_auth(
    role: Role | None = None, *, self_param: str | None = None, allow_no_role: bool = False
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Require a verified token; optionally a role and a path parameter equal to the caller."""

    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            principal = authenticate()
            if principal.role is None and not allow_no_role:
                raise Forbidden("Choose a role first.", code="onboarding_required")
            if role is not None and principal.role != role:
                raise Forbidden(f"Only a {role} may do this.", code="wrong_role")
            if self_param is not None and kwargs.get(self_param) != principal.user_id:
                raise Forbidden("You may only act on your own account.", code="not_self")
            return view(*args, **kwargs)

        return wrapper

    return decorate


def check_identity_fields(body: dict[str, Any], *fields: str) -> None:
    """Identity fields in a body may be omitted; when present they must name the caller."""
    principal = current_principal()
    for name in fields:
        if name in body and body[name] not in (None, principal.user_id):
            raise Forbidden(f"{name} must be your own user id.", code="not_self")


def require_internal(view: Callable[P, R]) -> Callable[P, R]:
    """Only other ProLearn services, holding INTERNAL_API_TOKEN, may call."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        expected = current_app.config["SETTINGS"].internal_api_token
        given = request.headers.get("X-Internal-Token", "")
        # a service not given the token holds "", which an absent header would match
        if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            raise Unauthorized("Internal endpoint.", code="internal_only")
        return view(*args, **kwargs)

    return wrapper
