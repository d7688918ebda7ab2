"""Which headers cross the gateway: allow-lists, so hop-by-hop and identity headers never do."""

from __future__ import annotations

from collections.abc import Mapping

FORWARDED_REQUEST_HEADERS = frozenset(
    {"accept", "accept-language", "authorization", "content-type", "user-agent"}
)
WEBHOOK_HEADER_PREFIX = "x-webhook-"
WEBHOOK_IDEMPOTENCY_HEADER = "x-idempotency-key"
WEBSOCKET_HEADER_PREFIX = "sec-websocket-"
UPGRADE_REQUEST_HEADERS = frozenset({"origin", "accept-language", "user-agent", "authorization"})

FORWARDED_RESPONSE_HEADERS = (
    "Content-Type",
    "Content-Disposition",
    "Location",
    "Cache-Control",
    "Retry-After",
    "X-Next-Cursor",
)


def forwardable_request_header(name: str) -> bool:
    """True for the client headers an upstream may see (Cashfree's webhook headers included)."""
    lowered = name.lower()
    return (
        lowered in FORWARDED_REQUEST_HEADERS
        or lowered.startswith(WEBHOOK_HEADER_PREFIX)
        or lowered == WEBHOOK_IDEMPOTENCY_HEADER
    )


def forwardable_upgrade_header(name: str) -> bool:
    """True for the client headers a WebSocket upgrade keeps: the handshake (`Sec-WebSocket-*`),
    `Origin` for the server's own check, and the usual identity-free ones. `Connection` and
    `Upgrade` are hop-by-hop: the tunnel writes its own."""
    lowered = name.lower()
    return lowered in UPGRADE_REQUEST_HEADERS or lowered.startswith(WEBSOCKET_HEADER_PREFIX)


def forwarded_for(earlier: str, client: str) -> str:
    """X-Forwarded-For for the next hop: the chain received, with the peer address appended."""
    earlier = earlier.strip()
    return f"{earlier}, {client}" if earlier else client


def response_subset(headers: Mapping[str, str]) -> dict[str, str]:
    """The upstream response headers the client gets back (and an idempotency record keeps)."""
    lowered = {name.lower(): value for name, value in headers.items()}
    return {
        name: lowered[name.lower()]
        for name in FORWARDED_RESPONSE_HEADERS
        if name.lower() in lowered
    }
