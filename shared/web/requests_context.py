"""Request ids: adopt a well-formed X-Request-Id or mint one, bind it as the correlation id;
one access-log line per request, carrying that id."""

from __future__ import annotations

import logging
import re
import time
from contextvars import Token

from flask import Flask, Response

from shared.context import correlation_id_var, new_id
from shared.metrics.http import route_label
from shared.web.current import current_globals, current_request

log = logging.getLogger("shared.web.access")

_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")
_REQUEST_ID_KEY = "HTTP_X_REQUEST_ID"
"""X-Request-Id as the WSGI environ names it (where `request.headers` reads it from)."""


def install_request_context(app: Flask) -> None:
    @app.before_request
    def _bind() -> None:
        incoming = current_request().environ.get(_REQUEST_ID_KEY, "")
        request_id = incoming if _VALID_ID.match(incoming) else new_id()
        state = current_globals()
        state.request_id = request_id
        state.correlation_token = correlation_id_var.set(request_id)
        state.started = time.perf_counter()

    @app.after_request
    def _stamp(response: Response) -> Response:
        state, current = current_globals(), current_request()
        response.headers["X-Request-Id"] = state.get("request_id", "")
        started: float | None = state.get("started")
        log.info(
            "request",
            extra={
                "method": current.method,
                "route": route_label(current),
                "path": current.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2)
                if started is not None
                else None,
            },
        )
        return response

    @app.teardown_request
    def _unbind(_: BaseException | None) -> None:
        token: Token[str | None] | None = current_globals().pop("correlation_token", None)
        if token is not None:
            correlation_id_var.reset(token)
