"""HTTP metrics for a Flask app: requests and latency by matched route, and GET /metrics."""

from __future__ import annotations

import time
from collections.abc import Sequence
from functools import cache

from flask import Blueprint, Flask, Request, Response, current_app, request
from prometheus_client import Counter, Histogram
from prometheus_client.registry import Collector

from shared.config import Settings
from shared.metrics.exposition import render
from shared.metrics.instruments import HTTP_DURATION, HTTP_REQUESTS, method_label
from shared.web.current import current_globals, current_request
from shared.web.errors import NotFound

UNMATCHED = "unmatched"


def route_label(current: Request) -> str:
    """The URL rule `current` matched (`/api/payments/order-status/<userId>/<orderId>`), never
    the raw path, so that ids do not become series; `unmatched` for a 404 or 405."""
    rule = current.url_rule
    return rule.rule if rule is not None else UNMATCHED


def came_through_the_edge() -> bool:
    """Behind trusted proxies (TRUSTED_PROXY_COUNT > 0) a request that carries X-Forwarded-For
    came from outside: Prometheus scrapes pods directly, so the public never sees the metrics."""
    settings: Settings = current_app.config["SETTINGS"]
    forwarded = request.headers.get("X-Forwarded-For")
    return settings.rate_limit.trusted_proxy_count > 0 and bool(forwarded)


def metrics_blueprint(state: Sequence[Collector]) -> Blueprint:
    """GET /metrics: every worker process's counts, then `state` read now."""
    bp = Blueprint("metrics", __name__)

    @bp.get("/metrics")
    def metrics() -> Response:
        if came_through_the_edge():
            raise NotFound("No such endpoint.", code="not_found")
        body, content_type = render(state)
        return Response(body, content_type=content_type)

    return bp


@cache
def requests_counter(service: str, method: str, route: str, status: int) -> Counter:
    """HTTP_REQUESTS' series for these labels, looked up once: `labels()` checks the values and
    takes a lock on every call. The labels come from closed sets, so the cache stays small, and
    no series is ever removed, so a cached one stays the registry's."""
    return HTTP_REQUESTS.labels(service, method, route, str(status))


@cache
def duration_histogram(service: str, method: str, route: str) -> Histogram:
    """HTTP_DURATION's series for these labels, looked up once (see requests_counter)."""
    return HTTP_DURATION.labels(service, method, route)


def install_http_metrics(app: Flask, service: str, state: Sequence[Collector] = ()) -> None:
    """Count every answered request (/metrics too) and time it from `g.started`, which the
    request context sets first thing; the cost is two in-memory updates per request."""

    @app.after_request
    def _observe(response: Response) -> Response:
        current = current_request()
        route, method = route_label(current), method_label(current.method)
        requests_counter(service, method, route, response.status_code).inc()
        started: float | None = current_globals().get("started")
        if started is not None:
            duration_histogram(service, method, route).observe(time.perf_counter() - started)
        return response

    app.register_blueprint(metrics_blueprint(state))
