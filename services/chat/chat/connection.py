"""One participant's socket: an outbound queue drained by its own writer, a rate limit, and
the pings that tell a vanished client."""

from __future__ import annotations

import contextlib
import logging
import queue
import socket
import threading
import time
import weakref
from dataclasses import dataclass

from simple_websocket import ConnectionClosed, Server
from wsproto.events import CloseConnection, Event, Ping, TextMessage
from wsproto.utilities import LocalProtocolError

log = logging.getLogger(__name__)
_STOP = object()
WRITE_BATCH = 64
"""Frames at most in one write to a socket."""
FLUSH_SECONDS = 2
"""How long a finished handler waits for its writer to send what is queued (a close reply)."""


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
        self._finished: threading.Event | None = None

    def attach(self, ws: Server) -> None:
        """The handshake is done: start writing, beginning with what arrived meanwhile (the
        connection joins its room before the handshake, so a message sent the moment the
        client sees 101 still reaches it)."""
        self.ws = ws
        self._finished = threading.Event()
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
        self._queue(text)

    def reply(self, event: Event) -> None:
        """Queue a control frame (a pong), under the same bound: a client that pings without
        reading is disconnected, not answered into memory."""
        self._queue(event)

    def _queue(self, item: str | Event) -> None:
        if self._closing:
            return
        if self._outbox.qsize() >= self._queue_limit:
            log.warning("chat client too slow, disconnecting", extra={"user_id": self.user_id})
            self.close(1008, "too slow to keep up")
            return
        self._outbox.put(item)

    def ping(self) -> None:
        """Queue a ping; if the last one went unanswered, the client is gone: close."""
        ws = self.ws
        if ws is None or self._closing:
            return
        if not ws.pong_received:
            self.close(1001, "ping timeout")
            return
        ws.pong_received = False
        self._outbox.put(Ping())

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Send a close frame after what is queued, then stop the writer; frames sent after
        it are dropped."""
        if self._closing:
            return
        self._closing = True
        self._outbox.put(_Close(code, reason))
        self._outbox.put(_STOP)

    def stop(self) -> None:
        """The handler is done: the writer sends what is queued (a close reply, say) and ends;
        wait for it a little, so the socket is not closed under the reply. Nothing is queued
        after it."""
        self._closing = True
        self._outbox.put(_STOP)
        if self._finished is not None:
            self._finished.wait(FLUSH_SECONDS)

    def _drain(self, ws: Server) -> None:
        """The only writer of this socket (wsproto's state and partial writes need one); frames
        queued together leave in one write."""
        try:
            while True:
                items = [self._outbox.get()]
                while len(items) < WRITE_BATCH and not self._outbox.empty():
                    items.append(self._outbox.get_nowait())
                try:
                    if not _write(ws, items):
                        return
                except (OSError, ConnectionClosed, ValueError, LocalProtocolError):
                    _gone(ws)
                    return
        finally:
            if self._finished is not None:
                self._finished.set()


class Pinger:
    """Every `interval` seconds, a ping to each watched socket from one thread (not a timed
    wait per frame in every writer); a socket whose last ping went unanswered is closed."""

    def __init__(self, interval: float) -> None:
        self._interval = interval
        self._connections: weakref.WeakSet[Connection] = weakref.WeakSet()
        threading.Thread(target=self._run, name="chat-pinger", daemon=True).start()

    def watch(self, connection: Connection) -> None:
        self._connections.add(connection)

    def _run(self) -> None:
        while True:
            time.sleep(self._interval)
            for connection in list(self._connections):
                connection.ping()


def _write(ws: Server, items: list[object]) -> bool:
    """Encode and send `items`; False once the socket is closed or its writer told to stop."""
    data = bytearray()
    for item in items:
        if item is _STOP:
            _send(ws.sock, data)
            return False
        if isinstance(item, _Close):
            data += ws.ws.send(CloseConnection(item.code, item.reason))
            _send(ws.sock, data)
            _gone(ws)
            return False
        try:
            data += ws.ws.send(TextMessage(data=item) if isinstance(item, str) else item)
        except LocalProtocolError:  # the client is closing: it reads nothing but the close reply
            continue
    _send(ws.sock, data)
    return True


def _send(sock: socket.socket, data: bytearray) -> None:
    """One `send` as a rule, the rest (if the buffer was full) through `sendall`: gevent's
    `sendall` asks the kernel for the buffer's size and the clock's time on every call."""
    if not data:
        return
    sent = sock.send(data)
    if sent < len(data):
        sock.sendall(memoryview(data)[sent:])


def _gone(ws: Server) -> None:
    """End the handler's read (the client will send nothing it is waiting for), so that it
    leaves the room and ends."""
    ws.connected = False
    with contextlib.suppress(OSError):  # already closed by the other side
        ws.sock.shutdown(socket.SHUT_RD)
