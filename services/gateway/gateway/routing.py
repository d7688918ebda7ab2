"""Register the declared route table as URL rules, each behind rate limit, auth and idempotency."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from flask import Blueprint, Response, abort, request
from werkzeug.routing import WebsocketMismatch

from gateway.callers import current_caller
from gateway.edge_cache import EdgeCache
from gateway.idempotency import Idempotency
from gateway.policy import View, guard
from gateway.proxy import Proxy
from gateway.ratelimit import RateLimiter
from gateway.routes import KiB, MiB, Route
from gateway.websocket_tunnel import WebSocketTunnel, is_upgrade
from shared.web.errors import ApiError, error_response

Handler = Callable[[], Response]


def unroutable(path: str) -> bool:
    """/internal/ is service-to-service only; a dot segment would re-target the upstream path."""
    segments = path.lstrip("/").split("/")
    return segments[0].lower() == "internal" or any(s in {".", ".."} for s in segments)


def gateway_blueprint(
    routes: Iterable[Route],
    *,
    proxy: Proxy,
    tunnel: WebSocketTunnel,
    local: Mapping[str, Handler],
    service_url: Callable[[str], str],
    limiter: RateLimiter,
    idempotency: Idempotency,
    edge_cache: EdgeCache,
) -> Blueprint:
    """One URL rule per declared route; `local` serves the routes whose upstream is the gateway,
    `tunnel` the WebSocket ones, `proxy` the rest (through `edge_cache` where the route says)."""
    bp = Blueprint("gateway", __name__)
    unused = dict(local)

    @bp.before_app_request
    def _refuse_unroutable() -> None:
        if unroutable(request.path):
            abort(404)

    @bp.app_errorhandler(WebsocketMismatch)
    def _websocket_mismatch(_: WebsocketMismatch) -> Response:
        if is_upgrade():
            return error_response(
                400, "websocket_not_accepted", "This endpoint does not take a WebSocket upgrade."
            )
        return error_response(
            400, "websocket_required", "This endpoint only accepts a WebSocket upgrade."
        )

    for route in routes:
        if route.upstream == "gateway":
            handler = unused.pop(route.endpoint)
        elif route.websocket:
            handler = tunnel.to(route.upstream, service_url(route.upstream))
        else:
            handler = proxy.to(route.upstream, service_url(route.upstream))
            if route.edge_cache:
                handler = edge_cache.around(handler)
        bp.add_url_rule(
            route.path,
            endpoint=route.endpoint.replace(".", "_"),  # a dot in an endpoint means a blueprint
            view_func=_view(route, handler, limiter, idempotency),
            methods=[route.method],
            merge_slashes=False,
            websocket=route.websocket,
        )
    if unused:
        raise ValueError(f"handlers without a declared route: {sorted(unused)}")
    return bp


class PayloadTooLarge(ApiError):
    status, code = 413, "payload_too_large"


def limit_body(route: Route) -> None:
    """Refuse a body over the route's limit before reading it (a chunked one while reading)."""
    request.max_content_length = route.max_body_bytes
    if (request.content_length or 0) > route.max_body_bytes:
        size = _size(route.max_body_bytes)
        field = route.body_field or "body"
        raise PayloadTooLarge(
            f"The request is larger than the {size} this endpoint accepts.",
            details={field: f"the request must be at most {size} in all"},
        )


def _size(limit: int) -> str:
    """`limit` bytes for people: in MB from one MB up, else in KB."""
    if limit >= MiB:
        return f"{limit / MiB:g} MB"
    return f"{limit / KiB:g} KB"


def _view(route: Route, handler: Handler, limiter: RateLimiter, idempotency: Idempotency) -> View:
    """Rate limit (counted per verified user or IP), then auth, then Idempotency-Key, then the
    route's per-IP budget, then run: a replayed answer never spends the budget."""
    if route.ip_budget is not None:
        handler = limiter.spending(route.ip_budget, handler)

    def run(**_params: str) -> Response:
        response: Response = idempotency.run(handler)
        return response

    guarded = guard(route, run)

    def view(**params: str) -> Response:
        if route.rate_limited:
            limiter.check(current_caller())
        limit_body(route)
        response: Response = guarded(**params)
        return response

    return view
