"""The gateway's Flask app: the declared routes behind auth, limits, idempotency, CORS, headers."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask

from gateway.api_docs import ApiDocs
from gateway.bootstrap import bootstrap, readiness_checks
from gateway.cors import install_cors
from gateway.edge_cache import EdgeCache
from gateway.idempotency import Idempotency
from gateway.openapi import build_document, served_operations
from gateway.ratelimit import RateLimiter
from gateway.routes import ROUTES, Route
from gateway.routing import gateway_blueprint
from gateway.security_headers import install_security_headers
from gateway.users import UserEndpoints
from shared.config import Settings, load_settings
from shared.web.app import build_app


def create_app(settings: Settings | None = None, *, routes: Sequence[Route] = ROUTES) -> Flask:
    settings = settings or load_settings("gateway")
    adapters = bootstrap(settings)
    docs = ApiDocs()
    blueprint = gateway_blueprint(
        routes,
        proxy=adapters.proxy,
        tunnel=adapters.tunnel,
        local={**UserEndpoints(adapters.clerk).handlers(), **docs.handlers()},
        service_url=settings.service_url,
        limiter=RateLimiter(adapters.redis, settings.rate_limit),
        idempotency=Idempotency(adapters.redis),
        edge_cache=EdgeCache(settings.upstream.edge_cache_seconds),
    )
    app = build_app(settings, [blueprint], readiness_checks(adapters))
    docs.set_document(build_document(routes, served_operations(app)))
    app.extensions["token_verifier"] = adapters.verifier
    app.extensions["tunnel_hub"] = adapters.hub
    app.config["MAX_CONTENT_LENGTH"] = max(route.max_body_bytes for route in routes)
    install_cors(app, settings.client_urls)
    install_security_headers(app)
    return app
