"""Request ids: adopt a well-formed X-Request-Id or mint one, bind it as the correlation id;
one access-log line per request, carrying that id."""

from __future__ import annotations

import logging
import re
import time
from contextvars import Token

from flask import Flask, Response, g, request

from shared.context import correlation_id_var, new_id
from shared.metrics.http import route_label

log = logging.getLogger("shared.web.access")

_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")


def install_request_context(app: Flask) -> None:
    @app.before_request
    def _bind() -> None:
        incoming = request.headers.get("X-Request-Id", "")
        g.request_id = incoming if _VALID_ID.match(incoming) else new_id()
        g.correlation_token = correlation_id_var.set(g.request_id)
        g.started = time.perf_counter()

    @app.after_request
    def _stamp(response: Response) -> Response:
        response.headers["X-Request-Id"] = g.get("request_id", "")
        started: float | None = g.get("started")
        log.info(
            "request",
            extra={
                "method": request.method,
                "route": route_label(),
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2)
                if started is not None
                else None,
            },
        )
        return response

    @app.teardown_request
    def _unbind(_: BaseException | None) -> None:
        token: Token[str | None] | None = g.pop("correlation_token", None)
        if token is not None:
            correlation_id_var.reset(token)
