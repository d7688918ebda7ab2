"""Strict CORS: only the configured frontend origins, on every response; preflights answered."""

from __future__ import annotations

from flask import Flask, Response, request

ALLOW_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
ALLOW_HEADERS = "Authorization, Content-Type, Idempotency-Key, X-Request-Id"
EXPOSE_HEADERS = (
    "X-Next-Cursor, X-Request-Id, Retry-After, Idempotent-Replayed,"
    " X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"
)
MAX_AGE_SECONDS = "600"


def install_cors(app: Flask, origins: tuple[str, ...]) -> None:
    """Answer OPTIONS for known routes with 204, and stamp CORS headers for allowed origins."""
    allowed = frozenset(origins)

    @app.before_request
    def _preflight() -> Response | None:
        if request.method != "OPTIONS" or request.routing_exception is not None:
            return None
        response = Response(status=204)
        if request.headers.get("Origin") in allowed:
            response.headers["Access-Control-Allow-Methods"] = ALLOW_METHODS
            response.headers["Access-Control-Allow-Headers"] = ALLOW_HEADERS
            response.headers["Access-Control-Max-Age"] = MAX_AGE_SECONDS
        return response

    @app.after_request
    def _stamp(response: Response) -> Response:
        response.vary.add("Origin")
        origin = request.headers.get("Origin")
        if origin in allowed:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Credentials"] = "true"
            response.headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
        return response
