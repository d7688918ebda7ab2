"""Security headers on every response; no-store on answers to requests that carry credentials."""

from __future__ import annotations

from flask import Flask, Response, request

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
}


def install_security_headers(app: Flask) -> None:
    @app.after_request
    def _stamp(response: Response) -> Response:
        response.headers.update(SECURITY_HEADERS)
        if "Authorization" in request.headers:
            response.headers["Cache-Control"] = "no-store"
        return response
