"""One participant's socket: an outbound queue drained by its own writer, a rate limit."""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass

from simple_websocket import ConnectionClosed, Server
from wsproto.events import CloseConnection, Ping, TextMessage
from wsproto.utilities import LocalProtocolError

log = logging.getLogger(__name__)
_STOP = object()
WRITE_BATCH = 64
"""Frames at most in one write to a socket."""


@dataclass(frozen=True)
class _Close:
    code: int
    reason: str


class Connection:
    """Frames for a client go through a bounded queue that one writer drains, so a slow or gone
    client never blocks the room's broadcast; it is disconnected when its queue overflows."""

    def __init__(
        self,
        user_id: str,
        session_id: str,
        rate: float,
        burst: int,
        queue_limit: int,
        ping_interval: float,
    ) -> None:
        self.ws: Server | None = None
        self.user_id = user_id
        self.session_id = session_id
        self._rate = rate
        self._burst = float(burst)
        self._tokens = float(burst)
        self._refilled = time.monotonic()
        # SimpleQueue: no condition variable, so a frame costs a lock release, not a waiter
        # lock made and dropped (under gevent, a semaphore); the bound is kept by hand
        self._outbox: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._queue_limit = queue_limit
        self._closing = False
        self._ping_interval = ping_interval

    def attach(self, ws: Server) -> None:
        """The handshake is done: start writing, beginning with what arrived meanwhile (the
        connection joins its room before the handshake, so a message sent the moment the
        client sees 101 still reaches it)."""
        self.ws = ws
        threading.Thread(target=self._drain, args=(ws,), name="chat-writer", daemon=True).start()

    def allow(self) -> bool:
        """A token bucket: `rate` frames a second, `burst` at once."""
        now = time.monotonic()
        self._tokens = min(self._burst, self._tokens + (now - self._refilled) * self._rate)
        self._refilled = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True

    def send(self, text: str) -> None:
        """Queue a frame; once the client is `queue_limit` frames behind, disconnect it."""
        if self._closing:
            return
        if self._outbox.qsize() >= self._queue_limit:
            log.warning("chat client too slow, disconnecting", extra={"user_id": self.user_id})
            self.close(1008, "too slow to keep up")
            return
        self._outbox.put(text)

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Send a close frame after what is queued, then stop the writer; frames sent after
        it are dropped."""
        if self._closing:
            return
        self._closing = True
        self._outbox.put(_Close(code, reason))
        self._outbox.put(_STOP)

    def stop(self) -> None:
        self._outbox.put(_STOP)

    def _drain(self, ws: Server) -> None:
        """The only writer of this socket (wsproto's state and partial writes need one); frames
        queued together leave in one write."""
        while True:
            try:
                items = [self._outbox.get(timeout=self._ping_interval)]
            except queue.Empty:
                if not ws.pong_received:  # the last ping went unanswered: the client is gone
                    items = [_Close(1001, "ping timeout")]
                else:
                    ws.pong_received = False
                    items = [Ping()]
            while len(items) < WRITE_BATCH and not self._outbox.empty():
                items.append(self._outbox.get_nowait())
            try:
                if not _write(ws, items):
                    return
            except (OSError, ConnectionClosed, ValueError, LocalProtocolError):
                _gone(ws)
                return


def _write(ws: Server, items: list[object]) -> bool:
    """Encode and send `items`; False once the socket is closed or its writer told to stop."""
    data = bytearray()
    for item in items:
        if item is _STOP:
            ws.sock.sendall(data)
            return False
        if isinstance(item, _Close):
            data += ws.ws.send(CloseConnection(item.code, item.reason))
            ws.sock.sendall(data)
            _gone(ws)
            return False
        data += ws.ws.send(TextMessage(data=item) if isinstance(item, str) else item)
    ws.sock.sendall(data)
    return True


def _gone(ws: Server) -> None:
    """Wake the receive loop so the handler leaves the room and ends."""
    ws.connected = False
    ws.event.set()
