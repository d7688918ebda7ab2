"""A socket's frames, read in its handler's own greenlet: no reader thread, event and input list
per socket (simple-websocket's), so a frame in costs no switch between greenlets."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol

from simple_websocket import Server
from wsproto.events import CloseConnection, Event, Message, Ping, Pong
from wsproto.utilities import LocalProtocolError

RECEIVE_BYTES = 4096
MESSAGE_TOO_BIG = 1009


class Replies(Protocol):
    """Where control frames go out: the socket's one writer."""

    def reply(self, event: Event) -> None: ...

    def close(self, code: int = 1000, reason: str = "") -> None: ...


class NoReaderThread:
    """simple-websocket's `thread_class`: the handshake stays simple-websocket's, its reader
    thread is never started; `messages` reads instead."""

    name = "chat-socket"

    def __init__(self, target: Callable[[], None]) -> None:
        del target

    def start(self) -> None:
        pass


def messages(ws: Server, replies: Replies, max_bytes: int) -> Iterator[str | bytes]:
    """Each message the client sends, fragments joined, until it closes, vanishes, breaks the
    protocol or sends more than `max_bytes` in one message (closed with 1009). Pings are
    answered and pongs noted; every reply goes through `replies`."""
    parts: list[str | bytes] = []
    size = 0
    try:
        while True:
            data = ws.sock.recv(RECEIVE_BYTES)
            if not data:
                return
            ws.ws.receive_data(data)
            for event in ws.ws.events():
                if isinstance(event, Message):
                    size += len(event.data)
                    if size > max_bytes:
                        replies.close(MESSAGE_TOO_BIG, "Message is too big")
                        return
                    parts.append(event.data)
                    if event.message_finished:
                        yield _joined(parts)
                        parts, size = [], 0
                elif isinstance(event, Ping):
                    replies.reply(event.response())
                elif isinstance(event, Pong):
                    ws.pong_received = True
                elif isinstance(event, CloseConnection):
                    replies.close(event.code, event.reason or "")
                    return
    except (OSError, LocalProtocolError):
        return
    finally:
        ws.connected = False


def _joined(parts: list[str | bytes]) -> str | bytes:
    if len(parts) == 1:
        return parts[0]
    if isinstance(parts[0], str):
        return "".join(part for part in parts if isinstance(part, str))
    return b"".join(part for part in parts if isinstance(part, bytes))
