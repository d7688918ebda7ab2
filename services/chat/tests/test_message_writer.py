"""The batching writer: messages waiting together share one write in arrival order; nothing is
broadcast or acknowledged before it is stored; a failed store answers the sender and nothing
else; retries stop at the deadline."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from typing import Any, cast

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError

from chat import handlers
from chat.adapters.message_writer import MessageWriter
from chat.adapters.repository import ChatRepository, StoreFailed
from chat.connection import Connection
from chat.domain.message import ChatMessage
from chat.fanout import RoomHub
from shared.config import ChatSettings


def message(n: int) -> ChatMessage:
    return ChatMessage(
        session_id="s1",
        message_id=f"{n:013d}-000000000000",
        timestamp=n,
        sender_id="u1",
        sender_name="Ann",
        text=f"text {n}",
    )


class GatedStore:
    """Records each batch; the first call waits until released, so others queue behind it."""

    def __init__(self, fail: bool = False) -> None:
        self.batches: list[list[str]] = []
        self.stored: set[str] = set()
        self.entered = threading.Event()
        self.release = threading.Event()
        self.fail = fail

    def __call__(self, messages: Sequence[ChatMessage], deadline: float) -> None:
        self.entered.set()
        self.release.wait(5)
        self.batches.append([m.text for m in messages])
        if self.fail:
            raise StoreFailed("no")
        self.stored.update(m.message_id for m in messages)


def write_in_background(writer: MessageWriter, msg: ChatMessage) -> threading.Thread:
    thread = threading.Thread(target=writer.write, args=(msg,))
    thread.start()
    return thread


def test_messages_waiting_together_share_one_write_in_arrival_order() -> None:
    store = GatedStore()
    writer = MessageWriter(store, linger=0, in_flight=1)
    first = write_in_background(writer, message(0))
    assert store.entered.wait(5)
    waiting = []
    for n in range(1, 4):
        waiting.append(write_in_background(writer, message(n)))
        time.sleep(0.05)  # arrival order is the order the batch keeps
    store.release.set()
    for thread in (first, *waiting):
        thread.join(5)
    assert store.batches == [["text 0"], ["text 1", "text 2", "text 3"]]


def test_while_a_batch_is_written_the_next_waits_the_linger_for_company() -> None:
    store = GatedStore()
    writer = MessageWriter(store, linger=0.3)
    first = write_in_background(writer, message(0))  # nothing in flight: it leaves at once
    assert store.entered.wait(5)
    threads = [first]
    for n in range(1, 4):
        threads.append(write_in_background(writer, message(n)))
        time.sleep(0.02)
    store.release.set()
    for thread in threads:
        thread.join(5)
    assert store.batches == [["text 0"], ["text 1", "text 2", "text 3"]]


def test_every_waiter_hears_of_a_failed_write() -> None:
    store = GatedStore(fail=True)
    store.release.set()
    writer = MessageWriter(store, linger=0, in_flight=1)
    with pytest.raises(StoreFailed):
        writer.write(message(0))


class FakeConnection:
    session_id = "s1"
    user_id = "u1"

    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []

    def allow(self) -> bool:
        return True

    def send(self, text: str) -> None:
        self.frames.append(json.loads(text))


class RecordingHub:
    def __init__(self, store: GatedStore) -> None:
        self.store = store
        self.broadcast_unstored: list[str] = []
        self.broadcasts: list[str] = []

    def broadcast(self, session_id: str, text: str) -> None:
        sent = json.loads(text)["data"]
        self.broadcasts.append(sent["text"])
        if sent["messageId"] not in self.store.stored:
            self.broadcast_unstored.append(sent["text"])


def send(store: GatedStore) -> tuple[FakeConnection, RecordingHub]:
    hub = RecordingHub(store)
    connection = FakeConnection()
    frame = json.dumps({"event": "sendMessage", "data": {"text": "hi", "clientMessageId": "c1"}})
    handlers.on_frame(
        cast(Connection, connection),
        "Ann",
        frame,
        writer=MessageWriter(store, linger=0, in_flight=1),
        hub=cast(RoomHub, hub),
        max_text_chars=ChatSettings().max_text_chars,
    )
    return connection, hub


def test_a_message_is_broadcast_and_acknowledged_only_once_stored() -> None:
    store = GatedStore()
    store.release.set()
    connection, hub = send(store)
    assert hub.broadcasts == ["hi"]
    assert hub.broadcast_unstored == []
    assert [f["event"] for f in connection.frames] == ["ack"]


def test_a_failed_store_answers_the_sender_and_broadcasts_nothing() -> None:
    store = GatedStore(fail=True)
    store.release.set()
    connection, hub = send(store)
    assert hub.broadcasts == []
    assert [(f["event"], f["data"]["code"]) for f in connection.frames] == [("error", "not_stored")]
    assert connection.frames[0]["data"]["clientMessageId"] == "c1"


class FlakyClient:
    """BatchWriteItem that times out once, then leaves `unprocessed` items each time."""

    def __init__(self, unprocessed: int) -> None:
        self.calls = 0
        self.unprocessed = unprocessed

    def batch_write_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:  # noqa: N803
        self.calls += 1
        if self.calls == 1:
            raise ReadTimeoutError(endpoint_url="http://emulator")
        (table, requests), *_ = RequestItems.items()
        left = requests[: self.unprocessed]
        return {"UnprocessedItems": {table: left} if left else {}}


def test_a_timeout_is_retried_and_the_batch_stored() -> None:
    client = FlakyClient(unprocessed=0)
    ChatRepository(client, "chat").add_messages([message(1), message(2)], time.monotonic() + 3)
    assert client.calls == 2


def test_retries_stop_at_the_deadline() -> None:
    client = FlakyClient(unprocessed=1)
    started = time.monotonic()
    with pytest.raises(StoreFailed):
        ChatRepository(client, "chat").add_messages([message(1)], started + 0.3)
    assert time.monotonic() - started < 0.5
    assert client.calls > 2


def test_a_refused_batch_is_not_retried() -> None:
    class Refusing:
        calls = 0

        def batch_write_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:  # noqa: N803
            self.calls += 1
            error = {"Error": {"Code": "ValidationException", "Message": "no"}}
            raise ClientError(error, "BatchWriteItem")  # type: ignore[arg-type]

    client = Refusing()
    with pytest.raises(ClientError):
        ChatRepository(client, "chat").add_messages([message(1)], time.monotonic() + 3)
    assert client.calls == 1
