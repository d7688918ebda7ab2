"""The request and `g` themselves, for hooks that run on every request.

Each attribute read through Flask's `request` or `g` proxy looks the object up again through
the proxy's descriptors, at several times the cost of the read itself; a hook that takes the
object once and reads it directly pays that once."""

from __future__ import annotations

from flask import Request, g, request
from flask.ctx import _AppCtxGlobals


def current_request() -> Request:
    """The request being handled (outside one, the proxy's RuntimeError)."""
    return request._get_current_object()  # type: ignore[attr-defined,no-any-return]


def current_globals() -> _AppCtxGlobals:
    """The app context's `g` (outside one, the proxy's RuntimeError)."""
    namespace: _AppCtxGlobals = g._get_current_object()
    return namespace
