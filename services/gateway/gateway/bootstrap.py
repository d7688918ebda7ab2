"""The one place that builds concrete adapters: Redis, the upstream proxy and WebSocket tunnel,
Clerk, the verifier."""

from __future__ import annotations

from dataclasses import dataclass

import redis

from gateway.proxy import Proxy
from gateway.tunnel_hub import TunnelHub
from gateway.websocket_tunnel import WebSocketTunnel
from shared.auth.tokens import TokenVerifier
from shared.clerk import ClerkClient
from shared.config import Settings
from shared.web.health import ReadinessCheck

REDIS_TIMEOUT_SECONDS = 0.5


@dataclass(frozen=True)
class Adapters:
    """Everything the gateway talks to; the proxy's pools never carry Clerk's secret key."""

    redis: redis.Redis
    proxy: Proxy
    tunnel: WebSocketTunnel
    hub: TunnelHub
    clerk: ClerkClient
    verifier: TokenVerifier


def bootstrap(settings: Settings) -> Adapters:
    hub = TunnelHub()
    return Adapters(
        redis=redis.Redis.from_url(
            settings.messaging.redis_url,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        ),
        proxy=Proxy(settings.upstream),
        tunnel=WebSocketTunnel(hub, settings.upstream),
        hub=hub,
        clerk=ClerkClient(settings.clerk),
        verifier=TokenVerifier(settings.clerk),
    )


def readiness_checks(adapters: Adapters) -> dict[str, ReadinessCheck]:
    """Only the gateway's own dependency: one upstream's outage must not take the edge out of
    rotation (its routes answer 503 on their own)."""
    return {"redis": lambda: _ping(adapters.redis)}


def _ping(client: redis.Redis) -> None:
    client.ping()
