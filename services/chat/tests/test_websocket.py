"""A socket read in its handler's greenlet: messages whole and in order, control frames answered
through the one writer, a close replied to before the socket goes, pings that find a vanished
client. Over a real socket pair, the client side speaking wsproto."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from wsproto.connection import Connection, ConnectionType
from wsproto.events import (
    BytesMessage,
    CloseConnection,
    Event,
    Ping,
    Pong,
    TextMessage,
)

from chat.connection import Connection as ChatConnection
from chat.connection import Pinger
from chat.websocket import messages


class Pair:
    """The server's end as a handler sees it (past the handshake), and a client beside it."""

    def __init__(self) -> None:
        server_sock, self.client_sock = socket.socketpair()
        self.ws: Any = type("OpenSocket", (), {})()
        self.ws.ws = Connection(ConnectionType.SERVER)
        self.ws.sock = server_sock
        self.ws.connected = True
        self.ws.pong_received = True
        self.client = Connection(ConnectionType.CLIENT)
        self.client_sock.settimeout(5)

    def send(self, *events: Event) -> None:
        self.client_sock.sendall(b"".join(self.client.send(event) for event in events))

    def received(self, until: type[Event] = CloseConnection) -> list[Event]:
        """What the server sent, up to and including the first `until`."""
        events: list[Event] = []
        while not any(isinstance(event, until) for event in events):
            data = self.client_sock.recv(65536)
            if not data:
                break
            self.client.receive_data(data)
            events.extend(self.client.events())
        return events

    def close(self) -> None:
        self.ws.sock.close()
        self.client_sock.close()


@pytest.fixture
def pair() -> Iterator[Pair]:
    made = Pair()
    yield made
    made.close()


class Replies:
    def __init__(self) -> None:
        self.replies: list[Event] = []
        self.closed: tuple[int, str] | None = None

    def reply(self, event: Event) -> None:
        self.replies.append(event)

    def close(self, code: int = 1000, reason: str = "") -> None:
        self.closed = (code, reason)


def test_messages_arrive_whole_and_in_order_and_a_close_ends_them(pair: Pair) -> None:
    replies = Replies()
    pair.send(
        TextMessage("one"),
        TextMessage("tw", message_finished=False),
        TextMessage("o", message_finished=True),
        BytesMessage(b"\x00three"),
        Ping(b"are you there"),
        Pong(b""),
        CloseConnection(1000, "bye"),
    )
    pair.ws.pong_received = False
    assert list(messages(pair.ws, replies, 1024)) == ["one", "two", b"\x00three"]
    assert replies.replies == [Pong(b"are you there")]
    assert pair.ws.pong_received is True
    assert replies.closed == (1000, "bye")
    assert pair.ws.connected is False


def test_a_message_over_the_limit_is_closed_with_1009(pair: Pair) -> None:
    replies = Replies()
    pair.send(TextMessage("x" * 60, message_finished=False), TextMessage("y" * 60))
    assert list(messages(pair.ws, replies, 100)) == []
    assert replies.closed == (1009, "Message is too big")


def test_a_vanished_client_ends_the_messages(pair: Pair) -> None:
    pair.send(TextMessage("last words"))
    pair.client_sock.close()
    assert list(messages(pair.ws, Replies(), 1024)) == ["last words"]
    assert pair.ws.connected is False


def chat_connection() -> ChatConnection:
    return ChatConnection("u1", "s1", rate=10, burst=10, queue_limit=100)


def test_a_client_close_is_replied_to_before_the_socket_goes(pair: Pair) -> None:
    connection = chat_connection()
    connection.attach(pair.ws)
    connection.send("before the close")
    assert pair.received(until=TextMessage) == [TextMessage("before the close")]
    pair.send(CloseConnection(1000, "done"))
    assert list(messages(pair.ws, connection, 1024)) == []
    connection.send("after it: never sent")
    connection.stop()  # returns once the writer flushed the reply
    pair.ws.sock.close()  # what the server does next
    assert pair.received() == [CloseConnection(1000, "done")]


def test_a_client_that_stops_answering_pings_is_closed_and_its_handler_ends(pair: Pair) -> None:
    connection = chat_connection()
    connection.attach(pair.ws)
    Pinger(0.05).watch(connection)
    ended = threading.Event()

    def handler() -> None:
        for _ in messages(pair.ws, connection, 1024):
            pass
        ended.set()

    threading.Thread(target=handler, daemon=True).start()
    events = pair.received()  # never answering the ping
    assert isinstance(events[0], Ping)
    assert isinstance(events[-1], CloseConnection) and events[-1].code == 1001
    assert ended.wait(5)  # the writer's close ended the handler's blocked read
    connection.stop()


def test_a_client_that_answers_pings_stays(pair: Pair) -> None:
    connection = chat_connection()
    connection.attach(pair.ws)
    Pinger(0.05).watch(connection)
    received: list[str | bytes] = []

    def handler() -> None:
        received.extend(messages(pair.ws, connection, 1024))

    reader = threading.Thread(target=handler, daemon=True)
    reader.start()
    for _ in range(4):  # four pings answered: more than one interval apart each
        ping = pair.received(until=Ping)[-1]
        assert isinstance(ping, Ping)
        pair.send(ping.response())
    pair.send(TextMessage("still here"), CloseConnection(1000, ""))
    reader.join(5)
    assert received == ["still here"]
    connection.stop()
    assert isinstance(pair.received()[-1], CloseConnection)


def test_a_client_that_pings_without_reading_is_disconnected_not_answered_into_memory(
    pair: Pair,
) -> None:
    connection = ChatConnection("u1", "s1", rate=10, burst=10, queue_limit=3)  # no writer yet
    pair.send(*(Ping(b"%d" % n) for n in range(10)))
    pair.client_sock.shutdown(socket.SHUT_WR)  # all it sends, and it reads nothing meanwhile
    assert list(messages(pair.ws, connection, 1024)) == []
    connection.attach(pair.ws)
    connection.stop()
    events = pair.received()
    assert events[:3] == [Pong(b"0"), Pong(b"1"), Pong(b"2")]
    assert events[3:] == [CloseConnection(1008, "too slow to keep up")]
