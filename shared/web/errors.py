"""One JSON error shape for every service: {message, error: {code, details}}."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import partial
from typing import Any

from flask import Blueprint, Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error the client should see, with its HTTP status and a machine code."""

    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.code
        self.status = status or self.status
        self.details = details
        self.headers = headers or {}


class BadRequest(ApiError):
    status, code = 400, "validation_error"


class Unauthorized(ApiError):
    status, code = 401, "unauthorized"


class Forbidden(ApiError):
    status, code = 403, "forbidden"


class NotFound(ApiError):
    status, code = 404, "not_found"


class Conflict(ApiError):
    status, code = 409, "conflict"


class UpstreamError(ApiError):
    status, code = 502, "upstream_error"


class Unavailable(ApiError):
    status, code = 503, "unavailable"


def error_response(
    status: int, code: str, message: str, details: Any = None, headers: dict[str, str] | None = None
) -> Response:
    """The envelope `shared.api.common.Error` documents, built as a plain dict: every error
    answer passes here, and building the model would add a third or more to what each costs."""
    body: dict[str, Any] = {"message": message, "error": {"code": code, "details": details}}
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


ErrorTable = Mapping[type[Exception], tuple[int, str | None, str | None]]
"""Domain exceptions and how the edge answers each: (status, code, message); a code of None is
the exception's own `code`, a message of None its own text."""


def translate_errors(target: Blueprint | Flask, mapping: ErrorTable) -> None:
    """Answer domain exceptions with (status, code, message); `exc.details` is kept if present."""
    for exc_type in mapping:
        target.register_error_handler(exc_type, partial(translated_response, table=mapping))


def translated_response(exc: Exception, table: ErrorTable) -> Response:
    """`exc` answered as the first of its classes `table` names (a 5xx logged with its cause)."""
    status, code, message = next(table[cls] for cls in type(exc).__mro__ if cls in table)
    code = code or str(getattr(exc, "code", "error"))
    if status >= 500:
        _log_failure(status, code, exc.__cause__)
    return error_response(status, code, message or str(exc), getattr(exc, "details", None))


def _log_failure(status: int, code: str, cause: BaseException | None) -> None:
    """A 5xx is ours or a dependency's failure: say which, and why."""
    log.warning("answered %s %s", status, code, extra={"cause": repr(cause)} if cause else {})


def install_error_handlers(app: Flask) -> None:
    """Render ApiError, HTTP errors and crashes in the shared JSON shape."""

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        if exc.status >= 500:
            _log_failure(exc.status, exc.code, exc.__cause__)
        return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        code = (exc.name or "error").lower().replace(" ", "_")
        allowed = getattr(exc, "valid_methods", None)  # a 405 must name them (RFC 9110)
        headers = {"Allow": ", ".join(allowed)} if allowed else None
        return error_response(status, code, exc.description or exc.name, headers=headers)

    @app.errorhandler(Exception)
    def _crash(exc: Exception) -> Response:
        log.exception("unhandled error")
        return error_response(500, "internal_error", "Something went wrong on our side.")
