"""A kept-alive connection the server drops as it is reused: a safe call is tried once more on a
new connection, a write only when the caller keys its writes; a read timeout is never retried."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
import requests

from shared.http import new_session

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok"


class DroppingServer:
    """Answers the first request on every connection, then closes the connection without an
    answer when a second request arrives on it (a server dropping an idle keep-alive connection
    just as the client reuses it). With `stall`, it never answers at all."""

    def __init__(self, stall: bool = False) -> None:
        self.stall = stall
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self.requests = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            for answered in (True, False):
                if not _read_request(conn):
                    return
                self.requests += 1
                if self.stall:
                    threading.Event().wait(5)
                    return
                if not answered:
                    return  # dropped: no answer on a reused connection
                conn.sendall(OK)

    def close(self) -> None:
        self.listener.close()


def _read_request(conn: socket.socket) -> bool:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return False
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        ),
        0,
    )
    while len(body) < length:
        body += conn.recv(4096)
    return True


@pytest.fixture
def server() -> Iterator[DroppingServer]:
    found = DroppingServer()
    yield found
    found.close()


def test_a_safe_call_on_a_dropped_connection_is_tried_once_more(server: DroppingServer) -> None:
    session, url = new_session(), f"http://127.0.0.1:{server.port}/x"
    assert session.get(url, timeout=5).text == "ok"
    assert session.get(url, timeout=5).text == "ok"  # the reused connection dropped; retried
    assert (server.connections, server.requests) == (2, 3)


def test_a_write_is_not_repeated_unless_the_caller_keys_its_writes(server: DroppingServer) -> None:
    url = f"http://127.0.0.1:{server.port}/x"
    plain = new_session()
    plain.post(url, json={}, timeout=5)
    with pytest.raises(requests.ConnectionError):
        plain.post(url, json={}, timeout=5)
    keyed = new_session(retry_writes=True)
    keyed.post(url, json={}, timeout=5)
    assert keyed.post(url, json={}, timeout=5).text == "ok"


def test_a_read_timeout_is_not_retried() -> None:
    stalling = DroppingServer(stall=True)
    try:
        with pytest.raises(requests.ReadTimeout):
            new_session().get(f"http://127.0.0.1:{stalling.port}/x", timeout=(1, 0.3))
        assert stalling.requests == 1
    finally:
        stalling.close()
