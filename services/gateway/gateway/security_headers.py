"""Security headers on every response; no-store on answers to requests that carry credentials."""

from __future__ import annotations

from flask import Flask, Response, request

CSP = "Content-Security-Policy"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    CSP: "default-src 'none'; frame-ancestors 'none'",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
}


def install_security_headers(app: Flask) -> None:
    @app.after_request
    def _stamp(response: Response) -> Response:
        own_policy = response.headers.get(CSP)
        response.headers.update(SECURITY_HEADERS)
        if own_policy:
            # a page the gateway serves itself (the API docs) may widen it; a proxied reply
            # never carries one (the header allow-list drops it)
            response.headers[CSP] = own_policy
        if "Authorization" in request.headers:
            response.headers["Cache-Control"] = "no-store"
        return response
