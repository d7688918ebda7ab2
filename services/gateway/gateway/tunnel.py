"""A tunnel: a client socket and an upstream socket joined byte for byte, with back-pressure
and half-close, driven by the hub's selector."""

from __future__ import annotations

import logging
import selectors
import socket
import time
from collections.abc import Mapping

log = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
HIGH_WATER_BYTES = 256 * 1024
"""Stop reading a side while this much of what it sent still waits for the other side."""
HALF_CLOSE_GRACE_SECONDS = 10.0
"""After one side's EOF, how long the other may take to finish before both are closed."""
READ, WRITE = selectors.EVENT_READ, selectors.EVENT_WRITE
_AGAIN = (BlockingIOError, InterruptedError)


class End:
    """One side of a tunnel: its socket, the bytes owed to it, and which ways are still open."""

    def __init__(self, sock: socket.socket, owed: bytes = b"") -> None:
        self.sock = sock
        self.owed = bytearray(owed)
        self.reading = True
        """No EOF from this side yet."""
        self.writing = True
        """Its write side is not shut down yet."""
        self.watched = 0
        """The events the selector watches for this socket now."""
        self.sent = 0


class Tunnel:
    """A client socket and an upstream socket (both non-blocking) joined byte for byte."""

    def __init__(
        self,
        client: socket.socket,
        upstream: socket.socket,
        *,
        to_client: bytes,
        fields: Mapping[str, str],
    ) -> None:
        self.client = End(client, to_client)
        self.upstream = End(upstream)
        self.fields = dict(fields)
        self.opened = time.monotonic()
        self.first_eof: float | None = None
        self.failed = False

    def peer(self, end: End) -> End:
        return self.upstream if end is self.client else self.client

    def pump(self, end: End, events: int) -> None:
        """Read from and/or write to `end`, as the selector found it ready."""
        if events & READ and not self.failed:
            self._read(end)
        if events & WRITE and not self.failed:
            self._write(end)

    def _read(self, end: End) -> None:
        try:
            data = end.sock.recv(CHUNK_BYTES)
        except _AGAIN:
            return
        except OSError:
            self.failed = True
            return
        if data:
            self.peer(end).owed += data
            return
        end.reading = False
        self.first_eof = self.first_eof or time.monotonic()

    def _write(self, end: End) -> None:
        try:
            sent = end.sock.send(end.owed)
        except _AGAIN:
            return
        except OSError:
            self.failed = True
            return
        del end.owed[:sent]
        end.sent += sent

    def settle(self) -> None:
        """Pass a half-close on: once a side's EOF and every byte before it reached the other
        side, shut the other side's write direction, so its peer sees the EOF too."""
        for end in (self.client, self.upstream):
            if end.writing and not end.owed and not self.peer(end).reading:
                end.writing = False
                try:
                    end.sock.shutdown(socket.SHUT_WR)
                except OSError:
                    self.failed = True

    def wanted(self, end: End) -> int:
        """Read while the other side's backlog is under the high-water mark; write while owed."""
        events = 0
        if end.reading and len(self.peer(end).owed) < HIGH_WATER_BYTES:
            events |= READ
        if end.writing and end.owed:
            events |= WRITE
        return events

    def deadline(self) -> float | None:
        return None if self.first_eof is None else self.first_eof + HALF_CLOSE_GRACE_SECONDS

    def expired(self, now: float) -> bool:
        deadline = self.deadline()
        return deadline is not None and now >= deadline

    def finished(self, now: float) -> str | None:
        """Why the tunnel must close now, or None while it still carries bytes."""
        if self.failed:
            return "error"
        ends = (self.client, self.upstream)
        if not any(end.reading or end.writing for end in ends):
            return "closed"
        return "half_close_timeout" if self.expired(now) else None

    def close(self, reason: str) -> None:
        for end in (self.client, self.upstream):
            end.sock.close()
        log.info(
            "websocket tunnel closed",
            extra={
                **self.fields,
                "reason": reason,
                "bytes_to_client": self.client.sent,
                "bytes_to_upstream": self.upstream.sent,
                "seconds": round(time.monotonic() - self.opened, 3),
            },
        )
