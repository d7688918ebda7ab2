"""A test server that drops a kept-alive connection as it is reused (or never answers)."""

from __future__ import annotations

import socket
import threading

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
