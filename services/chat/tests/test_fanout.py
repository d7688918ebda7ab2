"""Broadcasts leave in pipelines: what is sent while one is in flight shares the next, each
sender returns once its own went out, and a Redis failure reaches every sender of the batch.
A socket's writer sends what was queued together in one write."""

from __future__ import annotations

import threading
import time
from typing import Any, cast

import pytest
import redis
from wsproto.connection import Connection, ConnectionType
from wsproto.frame_protocol import FrameProtocol, Opcode

from chat import connection as connection_module
from chat.connection import Connection as ChatConnection
from chat.fanout import RoomHub, channel


class GatedPipeline:
    def __init__(self, owner: FakeRedis) -> None:
        self.owner = owner
        self.commands: list[tuple[str, str]] = []

    def publish(self, name: str, text: str) -> None:
        self.commands.append((name, text))

    def execute(self) -> None:
        self.owner.entered.release()
        self.owner.release.wait(5)
        if self.owner.fail:
            raise redis.ConnectionError("gone")
        self.owner.pipelines.append(self.commands)


class IdlePubSub:
    subscribed = False


class FakeRedis:
    """A pipeline that waits until released, so that broadcasts queue behind it."""

    def __init__(self, fail: bool = False) -> None:
        self.pipelines: list[list[tuple[str, str]]] = []
        self.entered = threading.Semaphore(0)
        self.release = threading.Event()
        self.fail = fail

    def pipeline(self, transaction: bool = True) -> GatedPipeline:
        assert transaction is False
        return GatedPipeline(self)

    def pubsub(self) -> IdlePubSub:
        return IdlePubSub()


def broadcast_in_background(hub: RoomHub, room: str, text: str) -> threading.Thread:
    thread = threading.Thread(target=hub.broadcast, args=(room, text))
    thread.start()
    return thread


def test_broadcasts_sent_during_a_pipeline_share_the_next_one() -> None:
    client = FakeRedis()
    hub = RoomHub(cast(redis.Redis, client))
    in_flight = []
    for room, text in (("s1", "a"), ("s2", "b")):  # PUBLISH_IN_FLIGHT pipelines, each held open
        in_flight.append(broadcast_in_background(hub, room, text))
        assert client.entered.acquire(timeout=5)
    waiting = [
        broadcast_in_background(hub, room, text) for room, text in (("s3", "c"), ("s4", "d"))
    ]
    for thread in (*in_flight, *waiting):
        assert thread.is_alive()  # nobody returns before their pipeline went out
    time.sleep(0.1)  # both queued behind the pipelines in flight
    client.release.set()
    for thread in (*in_flight, *waiting):
        thread.join(5)
        assert not thread.is_alive()
    batches = sorted(sorted(pipeline) for pipeline in client.pipelines)
    a, b, c, d = (
        (channel(room), text) for room, text in zip(("s1", "s2", "s3", "s4"), "abcd", strict=True)
    )
    assert batches == [[a], [b], [c, d]]


def test_a_failed_pipeline_raises_redis_error_to_its_sender() -> None:
    client = FakeRedis(fail=True)
    client.release.set()
    hub = RoomHub(cast(redis.Redis, client))
    with pytest.raises(redis.RedisError):
        hub.broadcast("s1", "a")


class RecordingSocket:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.read_shut = threading.Event()

    def send(self, data: bytes) -> int:
        self.writes.append(bytes(data))
        return len(data)

    def sendall(self, data: bytes) -> None:
        self.writes.append(bytes(data))

    def shutdown(self, how: int) -> None:
        self.read_shut.set()


def test_frames_queued_together_leave_in_one_write() -> None:
    ws: Any = type("OpenSocket", (), {})()
    ws.ws = Connection(ConnectionType.SERVER)  # past the handshake
    ws.sock = RecordingSocket()
    assert connection_module._write(ws, ["one", "two"]) is True
    assert len(ws.sock.writes) == 1
    reader = FrameProtocol(client=True, extensions=[])
    reader.receive_bytes(ws.sock.writes[0])
    assert [frame.payload for frame in reader.received_frames()] == ["one", "two"]


class HalfSendingSocket(RecordingSocket):
    """A kernel buffer with room for half of what is offered."""

    def send(self, data: bytes) -> int:
        half = len(data) // 2
        self.writes.append(bytes(data[:half]))
        return half


def test_what_one_send_leaves_over_is_sent_after_it() -> None:
    ws: Any = type("OpenSocket", (), {})()
    ws.ws = Connection(ConnectionType.SERVER)
    ws.sock = HalfSendingSocket()
    assert connection_module._write(ws, ["one", "two"]) is True
    assert len(ws.sock.writes) == 2
    reader = FrameProtocol(client=True, extensions=[])
    reader.receive_bytes(b"".join(ws.sock.writes))
    assert [frame.payload for frame in reader.received_frames()] == ["one", "two"]


def open_socket() -> Any:
    ws: Any = type("OpenSocket", (), {})()
    ws.ws = Connection(ConnectionType.SERVER)
    ws.sock = RecordingSocket()
    ws.connected = True
    return ws


def test_a_client_too_far_behind_gets_what_was_queued_then_a_1008_close() -> None:
    slow = ChatConnection("u1", "s1", rate=10, burst=10, queue_limit=3)
    for n in range(6):
        slow.send(f"frame {n}")  # nothing drains yet: the client is not reading
    ws = open_socket()
    slow.attach(ws)
    assert ws.sock.read_shut.wait(5)  # the writer closed the socket and ended the handler's read
    reader = FrameProtocol(client=True, extensions=[])
    reader.receive_bytes(b"".join(ws.sock.writes))
    frames = list(reader.received_frames())
    assert [f.payload for f in frames[:-1]] == ["frame 0", "frame 1", "frame 2"]
    assert frames[-1].opcode == Opcode.CLOSE
    assert frames[-1].payload[0] == 1008
    assert ws.connected is False
