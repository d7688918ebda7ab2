"""The WebSocket handshake on the wire to an upstream: send it, read the answer's head, and
turn a refusal into an ordinary response."""

from __future__ import annotations

import http.client
import io
import logging
import socket
from typing import TYPE_CHECKING, cast
from urllib.parse import quote, urlsplit

from flask import Response, g, request

from gateway.headers import forwardable_upgrade_header, forwarded_for, response_subset
from gateway.proxy import UpstreamTimeout, is_error_shape
from shared.config import UpstreamSettings
from shared.web.errors import Unavailable, UpstreamError

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

log = logging.getLogger(__name__)

HEAD_LIMIT_BYTES = 64 * 1024
BODY_LIMIT_BYTES = 1024 * 1024
_PATH_SAFE = "/!$&'()*+,;=:@-._~"


def connect(service: str, base_url: str, settings: UpstreamSettings) -> socket.socket:
    """A connection to the upstream, with the proxy's timeouts (503 when it cannot be made)."""
    parts = urlsplit(base_url)
    address = (parts.hostname or "127.0.0.1", parts.port or 80)
    try:
        upstream = socket.create_connection(address, timeout=settings.connect_timeout)
    except OSError as exc:
        log.warning("upstream call failed", extra={"upstream": service, "error": repr(exc)})
        raise Unavailable(
            f"The {service} service is unavailable.", code="upstream_unavailable"
        ) from exc
    upstream.settimeout(settings.read_timeout)
    return upstream


def request_head(base_url: str) -> bytes:
    """The client's request line and handshake headers, for the upstream's Host."""
    parts = urlsplit(base_url)
    target = parts.path.rstrip("/") + quote(request.path, safe=_PATH_SAFE)
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    headers = [("Host", parts.netloc), ("Connection", "Upgrade"), ("Upgrade", "websocket")]
    headers += [(name, value) for name, value in request.headers.items() if _keep(name, value)]
    headers += [
        ("X-Forwarded-For", forwarded_for(request.headers.get("X-Forwarded-For", ""), _peer())),
        ("X-Request-Id", g.request_id),
    ]
    lines = [f"GET {target} HTTP/1.1", *(f"{name}: {value}" for name, value in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _keep(name: str, value: str) -> bool:
    return forwardable_upgrade_header(name) and "\r" not in value and "\n" not in value


def _peer() -> str:
    return request.remote_addr or "unknown"


def exchange(service: str, upstream: socket.socket, handshake: bytes) -> tuple[bytes, bytes]:
    """Send the handshake; the upstream's status line and headers, and any bytes after them."""
    received = bytearray()
    try:
        upstream.sendall(handshake)
        while (end := received.find(b"\r\n\r\n")) < 0:
            if len(received) > HEAD_LIMIT_BYTES:
                raise _failure(service, "answered with an oversized head")
            chunk = upstream.recv(HEAD_LIMIT_BYTES)
            if not chunk:
                raise _failure(service, "closed the connection during the handshake")
            received += chunk
    except TimeoutError as exc:
        raise _timeout(service) from exc
    except OSError as exc:
        raise _failure(service, repr(exc)) from exc
    return bytes(received[: end + 4]), bytes(received[end + 4 :])


def status_of(service: str, head: bytes) -> int:
    version, _, rest = head.partition(b" ")
    code = rest[:3]
    if not version.startswith(b"HTTP/1.") or not code.isdigit():
        raise _failure(service, "answered with something other than HTTP/1.x")
    return int(code)


def relay_refusal(service: str, upstream: socket.socket, received: bytes) -> Response:
    """A refused handshake (401, 403, 404 …) relayed as an ordinary response, like the proxy
    does: kept headers, the body, and a 5xx only in the shared error shape."""
    answer = http.client.HTTPResponse(cast(socket.socket, _Replayed(received, upstream)))
    try:
        answer.begin()
        body = answer.read(BODY_LIMIT_BYTES + 1)
    except TimeoutError as exc:
        raise _timeout(service) from exc
    except (OSError, http.client.HTTPException) as exc:
        raise _failure(service, repr(exc)) from exc
    finally:
        answer.close()
        upstream.close()
    if len(body) > BODY_LIMIT_BYTES or (answer.status >= 500 and not is_error_shape(body)):
        raise _failure(service, f"refused the handshake with an unusable {answer.status}")
    return Response(body, status=answer.status, headers=response_subset(dict(answer.headers)))


class _Replayed:
    """The upstream socket as http.client reads it: the bytes already received, then the rest."""

    def __init__(self, received: bytes, upstream: socket.socket) -> None:
        self._stream = io.BufferedReader(_ReplayedRaw(received, upstream))

    def makefile(self, mode: str) -> io.BufferedReader[_ReplayedRaw]:
        return self._stream


class _ReplayedRaw(io.RawIOBase):
    def __init__(self, received: bytes, upstream: socket.socket) -> None:
        self._pending = received
        self._upstream = upstream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        if not self._pending:
            return self._upstream.recv_into(buffer)
        view = memoryview(buffer).cast("B")
        size = min(len(view), len(self._pending))
        view[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _failure(service: str, what: str) -> UpstreamError:
    log.warning("websocket handshake failed", extra={"upstream": service, "error": what})
    return UpstreamError(f"The {service} service failed.")


def _timeout(service: str) -> UpstreamTimeout:
    log.warning("websocket handshake timed out", extra={"upstream": service})
    return UpstreamTimeout(f"The {service} service did not answer in time.")
