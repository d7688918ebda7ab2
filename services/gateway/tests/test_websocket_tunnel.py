"""WebSocket tunnel: real echo upstream, real servers, frames both ways, refusals, no token in logs."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from gateway_fakes import MakeApp
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosedOK, InvalidStatus
from websockets.http11 import Request
from websockets.http11 import Response as WsResponse
from websockets.sync.client import connect
from websockets.sync.server import ServerConnection, serve
from werkzeug.serving import make_server

from gateway import tunnel
from gateway.app import create_app
from gateway.tunnel import HIGH_WATER_BYTES, Tunnel
from gateway.tunnel_hub import TunnelHub
from shared.config import load_settings
from shared.logs import JsonFormatter, redact

REPO = Path(__file__).resolve().parents[3]
TOKEN = "secret-jwt"
REFUSED = {"message": "You are not in this session.", "error": {"code": "not_participant"}}
UPGRADE = {"Connection": "Upgrade", "Upgrade": "websocket"}


def eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


@dataclass
class EchoChat:
    """A stand-in for chat: echoes every frame, closes on "bye", refuses /ws/chat/forbidden
    with a 403 JSON body, and records each handshake and how each conversation ended."""

    url: str = ""
    handshakes: list[Request] = field(default_factory=list)
    close_codes: list[int | None] = field(default_factory=list)

    def refuse(self, connection: ServerConnection, request: Request) -> WsResponse | None:
        self.handshakes.append(request)
        if not request.path.startswith("/ws/chat/forbidden"):
            return None
        body = json.dumps(REFUSED).encode()
        headers = Headers({"Content-Type": "application/json", "Content-Length": str(len(body))})
        return WsResponse(403, "Forbidden", headers, body)

    def echo(self, connection: ServerConnection) -> None:
        for message in connection:
            if message == "bye":
                connection.close(1000, "bye")
                break
            connection.send(message)
        self.close_codes.append(connection.close_code)


def bearer_subprotocol(connection: ServerConnection, offered: list[str]) -> str | None:
    return next((p for p in offered if p.startswith("bearer.")), None)


@pytest.fixture
def chat() -> Iterator[EchoChat]:
    fake = EchoChat()
    server = serve(
        fake.echo,
        "127.0.0.1",
        0,
        process_request=fake.refuse,
        select_subprotocol=bearer_subprotocol,
        compression=None,
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    fake.url = f"http://127.0.0.1:{server.socket.getsockname()[1]}"
    yield fake
    server.shutdown()


@dataclass(frozen=True)
class Gateway:
    ws: str
    hub: TunnelHub


@pytest.fixture
def serve_gateway(env: dict[str, str]) -> Iterator[Callable[..., Gateway]]:
    """serve_gateway(chat_url, **env) → the gateway app under werkzeug's threaded server."""
    started = []

    def start(chat_url: str, **overrides: str) -> Gateway:
        settings = load_settings("gateway", env={**env, **overrides, "CHAT_URL": chat_url})
        app = create_app(settings)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        hub: TunnelHub = app.extensions["tunnel_hub"]
        started.append((server, hub))
        return Gateway(f"ws://127.0.0.1:{server.server_port}", hub)

    yield start
    for server, hub in started:
        server.shutdown()
        server.server_close()
        hub.close()


@pytest.fixture
def gateway(chat: EchoChat, serve_gateway: Callable[..., Gateway]) -> Gateway:
    return serve_gateway(chat.url)


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def request_threads() -> int:
    return sum("process_request_thread" in t.name for t in threading.enumerate())


def test_text_and_binary_frames_cross_both_ways(gateway: Gateway, chat: EchoChat) -> None:
    large = bytes(range(256)) * 4096  # 1 MiB: more than the hub buffers at once
    with connect(
        f"{gateway.ws}/ws/chat/s1?lang=en",
        origin="http://localhost:3000",
        additional_headers={"Cookie": "session=x", "X-User-Id": "admin"},
    ) as ws:
        ws.send("hello")
        assert ws.recv(timeout=5) == "hello"
        ws.send(b"\x00\x01binary")
        assert ws.recv(timeout=5) == b"\x00\x01binary"
        ws.send(large)
        assert ws.recv(timeout=10) == large
    seen = chat.handshakes[-1]
    assert seen.path == "/ws/chat/s1?lang=en"
    assert seen.headers["Host"] == chat.url.removeprefix("http://")
    assert seen.headers["Origin"] == "http://localhost:3000"
    assert seen.headers["X-Forwarded-For"] == "127.0.0.1"
    assert seen.headers["X-Request-Id"]
    assert seen.headers["Sec-WebSocket-Key"]
    assert "Cookie" not in seen.headers and "X-User-Id" not in seen.headers


def test_twenty_open_tunnels_hold_no_server_thread_and_leak_nothing(gateway: Gateway) -> None:
    with connect(f"{gateway.ws}/ws/chat/warm-up"):  # opens the rate limiter's Redis connection
        pass
    eventually(lambda: gateway.hub.open_tunnels == 0)
    gateway.hub.close()
    before = open_fds()
    with ExitStack() as stack:
        sockets = [stack.enter_context(connect(f"{gateway.ws}/ws/chat/s{i}")) for i in range(20)]
        assert gateway.hub.open_tunnels == 20
        eventually(lambda: request_threads() == 0)
        for i, ws in enumerate(sockets):
            ws.send(f"m{i}")
        assert [ws.recv(timeout=5) for ws in sockets] == [f"m{i}" for i in range(20)]
    eventually(lambda: gateway.hub.open_tunnels == 0)
    gateway.hub.close()
    eventually(lambda: open_fds() <= before)
    assert "websocket-tunnel-hub" not in {t.name for t in threading.enumerate()}


def test_a_refused_handshake_is_relayed_with_its_status_and_json_body(gateway: Gateway) -> None:
    with pytest.raises(InvalidStatus) as refused:
        connect(f"{gateway.ws}/ws/chat/forbidden?token={TOKEN}")
    response = refused.value.response
    assert response.status_code == 403
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["X-Request-Id"]
    assert json.loads(response.body) == REFUSED
    assert gateway.hub.open_tunnels == 0


def test_chat_down_is_a_503_in_the_error_shape(
    serve_gateway: Callable[..., Gateway], dead_url: str
) -> None:
    gateway = serve_gateway(dead_url)
    with pytest.raises(InvalidStatus) as refused:
        connect(f"{gateway.ws}/ws/chat/s1")
    response = refused.value.response
    assert response.status_code == 503
    assert json.loads(response.body)["error"]["code"] == "upstream_unavailable"


@pytest.fixture
def raw_chat() -> Iterator[Callable[[bytes | None], str]]:
    """raw_chat(answer) → the URL of a TCP server that reads a request head, then writes
    `answer` and closes, or with None says nothing until the test ends."""
    listeners: list[socket.socket] = []
    done = threading.Event()

    def start(answer: bytes | None) -> str:
        listener = socket.create_server(("127.0.0.1", 0))
        listeners.append(listener)

        def serve_one() -> None:
            conn, _ = listener.accept()
            with conn:
                conn.recv(65536)
                if answer is None:
                    done.wait(10)
                else:
                    conn.sendall(answer)

        threading.Thread(target=serve_one, daemon=True).start()
        return f"http://127.0.0.1:{listener.getsockname()[1]}"

    yield start
    done.set()
    for listener in listeners:
        listener.close()


@pytest.mark.parametrize(
    ("answer", "status", "code"),
    [
        (None, 504, "upstream_timeout"),
        (b"SSH-2.0-OpenSSH\r\n\r\n", 502, "upstream_error"),
        (b"HTTP/1.1 500 Oops\r\nContent-Length: 5\r\n\r\ntrace", 502, "upstream_error"),
        (b"HTTP/1.1 101 Switch", 502, "upstream_error"),  # cut off inside the head
    ],
)
def test_a_broken_handshake_answer_is_a_json_error(
    serve_gateway: Callable[..., Gateway],
    raw_chat: Callable[[bytes | None], str],
    answer: bytes | None,
    status: int,
    code: str,
) -> None:
    gateway = serve_gateway(raw_chat(answer), GATEWAY_UPSTREAM_READ_TIMEOUT="0.3")
    with pytest.raises(InvalidStatus) as refused:
        connect(f"{gateway.ws}/ws/chat/s1")
    response = refused.value.response
    assert response.status_code == status
    assert json.loads(response.body)["error"]["code"] == code


def test_the_client_closing_closes_the_chat_side_cleanly(gateway: Gateway, chat: EchoChat) -> None:
    with connect(f"{gateway.ws}/ws/chat/s1") as ws:
        ws.send("ping")
        assert ws.recv(timeout=5) == "ping"
    assert ws.close_code == 1000
    eventually(lambda: chat.close_codes == [1000])
    eventually(lambda: gateway.hub.open_tunnels == 0)


def test_chat_closing_reaches_the_client_cleanly(gateway: Gateway, chat: EchoChat) -> None:
    with connect(f"{gateway.ws}/ws/chat/s1") as ws:
        ws.send("bye")
        with pytest.raises(ConnectionClosedOK):
            ws.recv(timeout=5)
    assert (ws.close_code, ws.close_reason) == (1000, "bye")
    eventually(lambda: gateway.hub.open_tunnels == 0)


def test_no_log_record_carries_the_token(
    gateway: Gateway, chat: EchoChat, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="websockets")  # the test's client and chat stand-in
    with connect(f"{gateway.ws}/ws/chat/s1?token={TOKEN}") as ws:
        ws.send("hi")
        assert ws.recv(timeout=5) == "hi"
    with connect(f"{gateway.ws}/ws/chat/s2", subprotocols=[f"bearer.{TOKEN}"]) as ws:
        assert ws.subprotocol == f"bearer.{TOKEN}"
    with pytest.raises(InvalidStatus):
        connect(f"{gateway.ws}/ws/chat/forbidden?token={TOKEN}")
    eventually(lambda: gateway.hub.open_tunnels == 0)
    assert chat.handshakes[0].path == f"/ws/chat/s1?token={TOKEN}"  # chat still gets it
    assert [r.path for r in caplog.records if r.getMessage() == "websocket tunnel opened"] == [
        "/ws/chat/s1?token=[redacted]",
        "/ws/chat/s2",
    ]
    for record in caplog.records:
        assert TOKEN not in record.getMessage()
        assert TOKEN not in repr(vars(record))


def test_a_plain_get_or_a_dot_segment_never_reaches_chat(
    make_client: MakeApp, chat: EchoChat
) -> None:
    client: FlaskClient = make_client(CHAT_URL=chat.url)
    plain = client.get("/ws/chat/s1")
    assert plain.status_code == 400
    assert plain.get_json()["error"]["code"] == "websocket_required"
    without_a_socket = client.get("/ws/chat/s1", headers=UPGRADE)  # the test client has none
    assert without_a_socket.status_code == 501
    assert client.get("/users/me", headers=UPGRADE).get_json()["error"]["code"] == (
        "websocket_not_accepted"
    )
    assert client.get("/ws/chat/..", headers=UPGRADE).status_code == 404
    assert client.get("/internal/ws/chat/s1", headers=UPGRADE).status_code == 404
    assert chat.handshakes == []


def test_redact_masks_token_parameters_and_bearer_subprotocols() -> None:
    assert redact("/ws/chat/s1?token=a.b-c_d&x=1") == "/ws/chat/s1?token=[redacted]&x=1"
    assert redact("/p?x=1&access_token=abc#top") == "/p?x=1&access_token=[redacted]#top"
    assert redact("chat, bearer.eyJ.x.y") == "chat, bearer.[redacted]"
    assert redact("/p?tokens=1&notoken=2 Bearer token") == "/p?tokens=1&notoken=2 Bearer token"
    record = logging.makeLogRecord({"msg": "GET /ws/chat/s1?token=%s", "args": (TOKEN,)})
    record.path = f"/ws/chat/s1?token={TOKEN}"
    line = JsonFormatter("gateway").format(record)
    assert TOKEN not in line and "token=[redacted]" in line


def test_a_side_is_not_read_while_the_other_side_owes_too_much() -> None:
    client, client_peer = socket.socketpair()
    upstream, upstream_peer = socket.socketpair()
    tunnel = Tunnel(client, upstream, to_client=b"x" * HIGH_WATER_BYTES, fields={})
    try:
        assert not tunnel.wanted(tunnel.upstream) & 1  # EVENT_READ: chat waits for the client
        assert tunnel.wanted(tunnel.client) == 3  # the client is read and written
    finally:
        tunnel.close("test")
        client_peer.close()
        upstream_peer.close()


def socket_tunnel(hub: TunnelHub) -> tuple[socket.socket, socket.socket]:
    """A tunnel between two socket pairs; the far ends stand for the browser and chat."""
    client, browser = socket.socketpair()
    upstream, chat = socket.socketpair()
    for sock in (client, upstream):
        sock.setblocking(False)
    hub.add(Tunnel(client, upstream, to_client=b"HTTP/1.1 101 \r\n\r\n", fields={}))
    for sock in (browser, chat):
        sock.settimeout(5)
    assert browser.recv(100) == b"HTTP/1.1 101 \r\n\r\n"
    return browser, chat


def test_a_half_close_is_passed_on_and_the_other_way_keeps_flowing() -> None:
    hub = TunnelHub()
    browser, chat = socket_tunnel(hub)
    with hub_closed(hub), browser, chat:
        browser.sendall(b"close frame")
        browser.shutdown(socket.SHUT_WR)
        assert chat.recv(100) == b"close frame"
        assert chat.recv(100) == b""  # the browser's EOF reached chat
        chat.sendall(b"closing too")
        assert browser.recv(100) == b"closing too"
        chat.close()
        assert browser.recv(100) == b""
        eventually(lambda: hub.open_tunnels == 0)


def test_a_side_that_never_finishes_its_half_close_is_cut_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tunnel, "HALF_CLOSE_GRACE_SECONDS", 0.2)
    hub = TunnelHub()
    browser, chat = socket_tunnel(hub)
    with hub_closed(hub), browser, chat:
        browser.shutdown(socket.SHUT_WR)
        assert chat.recv(100) == b""
        eventually(lambda: hub.open_tunnels == 0, timeout=2)
        assert browser.recv(100) == b""


@contextmanager
def hub_closed(hub: TunnelHub) -> Iterator[None]:
    try:
        yield
    finally:
        hub.close()


@pytest.fixture
def gunicorn_gateway(env: dict[str, str], chat: EchoChat) -> Iterator[str]:
    """The gateway as it runs, under gunicorn gthread, here with one worker of two threads."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "--no-control-socket", "-k", "gthread"),
            *("-w", "1", "--threads", "2", "-b", f"127.0.0.1:{port}", "gateway.wsgi:app"),
        ],
        cwd=REPO,
        env={**os.environ, **env, "CHAT_URL": chat.url, "RATE_LIMIT_ENABLED": "false"},
        stderr=subprocess.DEVNULL,
    )
    try:
        eventually(lambda: _listening(port), timeout=20)
        yield f"ws://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_under_gunicorn_two_threads_carry_twenty_open_tunnels(
    gunicorn_gateway: str, chat: EchoChat
) -> None:
    with ExitStack() as stack:
        sockets = [
            stack.enter_context(connect(f"{gunicorn_gateway}/ws/chat/s{i}", open_timeout=5))
            for i in range(20)
        ]
        for i, ws in enumerate(sockets):
            ws.send(f"m{i}")
        assert [ws.recv(timeout=5) for ws in sockets] == [f"m{i}" for i in range(20)]
        time.sleep(2.5)  # past gunicorn's graceful-close linger: it must not have touched them
        for i, ws in enumerate(sockets):
            ws.send(b"again %d" % i)
        assert [ws.recv(timeout=5) for ws in sockets] == [b"again %d" % i for i in range(20)]
        sockets[0].send("bye")
        with pytest.raises(ConnectionClosedOK):
            sockets[0].recv(timeout=5)
    assert [ws.close_code for ws in sockets] == [1000] * 20
    eventually(lambda: len(chat.close_codes) == 20)
