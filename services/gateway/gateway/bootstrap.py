"""The one place that builds concrete adapters: Redis, the HTTP session, Clerk, the verifier."""

from __future__ import annotations

from dataclasses import dataclass

import redis
import requests

from shared.auth.tokens import TokenVerifier
from shared.clerk import ClerkClient
from shared.config import Settings
from shared.http import new_session
from shared.web.health import ReadinessCheck

REDIS_TIMEOUT_SECONDS = 0.5
HEALTH_TIMEOUT = (1.0, 2.0)


@dataclass(frozen=True)
class Adapters:
    """Everything the gateway talks to; the proxy session never carries Clerk's secret key."""

    redis: redis.Redis
    session: requests.Session
    clerk: ClerkClient
    verifier: TokenVerifier


def bootstrap(settings: Settings) -> Adapters:
    return Adapters(
        redis=redis.Redis.from_url(
            settings.messaging.redis_url,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        ),
        session=new_session(),
        clerk=ClerkClient(settings.clerk),
        verifier=TokenVerifier(settings.clerk),
    )


def readiness_checks(adapters: Adapters) -> dict[str, ReadinessCheck]:
    """Only the gateway's own dependency: one upstream's outage must not take the edge out of
    rotation (its routes answer 503 on their own)."""
    return {"redis": lambda: _ping(adapters.redis)}


def _ping(client: redis.Redis) -> None:
    client.ping()
