"""Relay a WebSocket handshake to its service; on 101 hand both sockets to the tunnel hub."""

from __future__ import annotations

import logging
import os
import socket
import ssl
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from flask import Response, g, request

from gateway.tunnel import Tunnel
from gateway.tunnel_hub import TunnelHub
from gateway.websocket_handshake import connect, exchange, relay_refusal, request_head, status_of
from shared.config import UpstreamSettings
from shared.logs import redact
from shared.web.errors import ApiError

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

log = logging.getLogger(__name__)


class WebSocketUnsupported(ApiError):
    status, code = 501, "websocket_unsupported"


class HandedOff(Response):
    """The answer once the hub owns the connection: nothing for the server to write. gunicorn
    is told by StopIteration from __call__ (as flask-sock 0.7 does), so it neither writes a
    response (nor an access-log line) nor keeps the connection alive. Other servers (werkzeug's)
    write an empty 101 into the dead socket `_take_over` left them, which goes nowhere."""

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if "gunicorn.socket" in environ:
            raise StopIteration
        return super().__call__(environ, start_response)


class WebSocketTunnel:
    """Opens tunnels: the handshake runs in the request thread (bounded by the upstream
    timeouts), the conversation in the hub, so an open WebSocket holds no server thread."""

    def __init__(self, hub: TunnelHub, settings: UpstreamSettings) -> None:
        self._hub = hub
        self._settings = settings

    def to(self, service: str, base_url: str) -> Callable[[], Response]:
        """A handler tunnelling the current upgrade request, path and query unchanged."""

        def open_tunnel() -> Response:
            return self.open(service, base_url)

        return open_tunnel

    def open(self, service: str, base_url: str) -> Response:
        server_socket = _client_socket()
        upstream = connect(service, base_url, self._settings)
        try:
            head, early = exchange(service, upstream, request_head(base_url))
            if status_of(service, head) != 101:
                return relay_refusal(service, upstream, head + early)
            client = _take_over(server_socket)
        except BaseException:
            upstream.close()
            raise
        fields = {"upstream": service, "path": _logged_path(), "request_id": g.request_id}
        log.info("websocket tunnel opened", extra=fields)
        try:
            upstream.setblocking(False)
            self._hub.add(Tunnel(client, upstream, to_client=head + early, fields=fields))
        except BaseException:
            client.close()
            upstream.close()
            raise
        return HandedOff(status=101)


def is_upgrade() -> bool:
    """A WebSocket handshake, as werkzeug's routing sees one (a `websocket=True` rule takes only
    these; the others are a WebsocketMismatch before any view runs)."""
    connection = request.headers.get("Connection", "").lower().split(",")
    upgrade = request.headers.get("Upgrade", "").strip().lower()
    return upgrade == "websocket" and "upgrade" in {token.strip() for token in connection}


def _client_socket() -> socket.socket:
    """The server's socket for this connection: gunicorn's, or werkzeug's dev server's."""
    sock = request.environ.get("gunicorn.socket") or request.environ.get("werkzeug.socket")
    if not isinstance(sock, socket.socket) or isinstance(sock, ssl.SSLSocket):
        # a TLS socket's bytes are records, not frames: terminate TLS in front of the gateway
        raise WebSocketUnsupported("This server cannot carry WebSockets.")
    return sock


def _take_over(server_socket: socket.socket) -> socket.socket:
    """The client connection, ours from now on and out of the server's reach.

    The server closes its socket object once the view returns, so the tunnel keeps its own
    descriptor: a dup() of the same connection. That alone is not enough: gunicorn's gthread
    worker closes gracefully (setblocking(True), shutdown(SHUT_WR), then reads up to 64 KiB for
    2 s), and those act on the connection every descriptor shares, not on the descriptor: they
    would send the browser a FIN, swallow its frames and make our socket blocking. So the
    server's descriptor number is then re-pointed (dup2, atomic) at a dead socket pair end, and
    the server finishes its request on that instead.
    """
    descriptor = os.dup(server_socket.fileno())
    try:
        taken = socket.socket(fileno=descriptor)
    except BaseException:
        os.close(descriptor)
        raise
    try:
        dead, its_peer = socket.socketpair()
        with dead, its_peer:
            os.dup2(dead.fileno(), server_socket.fileno(), inheritable=False)
        taken.setblocking(False)
    except BaseException:
        taken.close()
        raise
    return taken


def _logged_path() -> str:
    query = request.query_string.decode("latin-1")
    return redact(f"{request.path}?{query}" if query else request.path)
