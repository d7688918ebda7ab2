"""Who is calling: the verified token's subject when there is one, else the client address."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request

from shared.auth.access import authenticate, bearer_token
from shared.auth.principal import Principal
from shared.config import Settings
from shared.web.errors import Unauthorized


@dataclass(frozen=True)
class Caller:
    """A stable key for the caller: `user:<sub>` when signed in, else `ip:<address>`."""

    key: str
    signed_in: bool


def client_ip() -> str:
    """remote_addr, or the Nth address from the right of X-Forwarded-For behind N proxies."""
    settings: Settings = current_app.config["SETTINGS"]
    trusted = settings.rate_limit.trusted_proxy_count
    remote = request.remote_addr or "unknown"
    if trusted <= 0:
        return remote
    chain = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",")]
    chain = [hop for hop in chain if hop]
    return chain[-trusted] if len(chain) >= trusted else remote


def verified_caller() -> Principal | None:
    """The caller when a valid bearer token is present; None for no token or a bad one."""
    if bearer_token() is None:
        return None
    try:
        return authenticate()
    except Unauthorized:
        return None


def current_caller() -> Caller:
    principal = verified_caller()
    if principal is None:
        return Caller(key=f"ip:{client_ip()}", signed_in=False)
    return Caller(key=f"user:{principal.user_id}", signed_in=True)
