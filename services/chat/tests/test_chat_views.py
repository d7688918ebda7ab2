"""Chat's ChatMessage keeps api.md's shape, field for field and in order, in the room's frame, in
the history and in the stored item, now that it is the model of shared/api/chat.py."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from typing import Any, cast

import pytest
from flask.testing import FlaskClient
from pydantic import ValidationError

from chat import handlers
from chat.adapters.repository import ChatRepository
from chat.app import create_app
from chat.bootstrap import Chat
from chat.domain.message import ChatMessage, frame
from chat.domain.room import Room
from shared.auth.principal import Principal
from shared.config import load_settings

WIRE_FIELDS = ["sessionId", "messageId", "timestamp", "senderId", "senderName", "text"]
MESSAGE = ChatMessage(
    session_id="s1",
    message_id="1764064800123-0a1b2c3d4e5f",
    timestamp=1764064800123,
    sender_id="u1",
    sender_name="Zoë",
    text='héllo 😀 "quoted"\n\u2028',
    client_message_id="c1",
)
STORED = {
    "PK": {"S": "ROOM#s1"},
    "SK": {"S": "MSG#1764064800123-0a1b2c3d4e5f"},
    "sessionId": {"S": "s1"},
    "messageId": {"S": "1764064800123-0a1b2c3d4e5f"},
    "timestamp": {"N": "1764064800123"},
    "senderId": {"S": "u1"},
    "senderName": {"S": "Zoë"},
    "text": {"S": 'héllo 😀 "quoted"\n\u2028'},
    "clientMessageId": {"S": "c1"},
}
LEGACY = {
    "PK": {"S": "ROOM#s1"},
    "SK": {"S": "MSG#0000000000001-aa"},
    "sessionId": {"S": "s1"},
    "messageId": {"S": "0000000000001-aa"},
    "timestamp": {"N": "1"},
    "senderId": {"S": "t1"},
    "text": {"S": "stored before names and client ids were kept"},
}


class FakeDynamo:
    """Keeps what BatchWriteItem puts; a query answers the given items, newest first."""

    def __init__(self, items: list[dict[str, Any]] | None = None) -> None:
        self.items = list(items or [])

    def batch_write_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:  # noqa: N803
        self.items += [request["PutRequest"]["Item"] for request in RequestItems["chat"]]
        return {}

    def query(self, **query: Any) -> dict[str, Any]:
        newest_first = sorted(self.items, key=lambda i: i["SK"]["S"], reverse=True)
        return {"Items": newest_first[: query["Limit"]]}


class TokenIsUserId:
    def verify(self, token: str) -> Principal:
        return Principal(user_id=token, role="student", token=token, claims={})


class OneRoom(ChatRepository):
    def room(self, session_id: str) -> Room | None:
        return Room("s1", "u1", "t1", "Sam", "Tara", course_id="c1") if session_id == "s1" else None


@pytest.fixture
def history() -> Iterator[partial[Any]]:
    app = create_app(load_settings("chat", {"INTERNAL_API_TOKEN": "internal"}))
    rooms = OneRoom(FakeDynamo([LEGACY, STORED]), "chat")
    app.extensions["chat"] = replace(
        cast(Chat, app.extensions["chat"]),
        rooms=rooms,
        readable_room=partial(handlers.readable_room, rooms=rooms),
    )
    app.extensions["token_verifier"] = TokenIsUserId()
    with app.test_client() as client:
        yield partial(history_of, client)


def history_of(client: FlaskClient, query: str = "") -> Any:
    return client.get(f"/mentorship/chat/s1{query}", headers={"Authorization": "Bearer u1"})


def test_a_message_on_the_wire_is_api_md_s_chat_message_without_the_client_id() -> None:
    wire = MESSAGE.wire()
    assert list(wire) == WIRE_FIELDS
    assert wire == {
        "sessionId": "s1",
        "messageId": "1764064800123-0a1b2c3d4e5f",
        "timestamp": 1764064800123,
        "senderId": "u1",
        "senderName": "Zoë",
        "text": 'héllo 😀 "quoted"\n\u2028',
    }


def test_the_room_s_frame_is_compact_json_with_non_ascii_characters_as_they_are() -> None:
    assert frame("newMessage", MESSAGE) == (
        '{"event":"newMessage","data":{"sessionId":"s1","messageId":"1764064800123-0a1b2c3d4e5f",'
        '"timestamp":1764064800123,"senderId":"u1","senderName":"Zoë",'
        '"text":"héllo 😀 \\"quoted\\"\\n\u2028"}}'
    )
    assert frame("ack", {"clientMessageId": None, "messageId": "m1"}) == (
        '{"event":"ack","data":{"clientMessageId":null,"messageId":"m1"}}'
    )


def test_a_message_is_stored_under_its_wire_names_with_its_client_id_and_reads_back() -> None:
    dynamo = FakeDynamo()
    repository = ChatRepository(dynamo, "chat")
    repository.add_messages([MESSAGE], deadline=float("inf"))
    assert dynamo.items == [STORED]
    assert list(dynamo.items[0]) == ["PK", "SK", *WIRE_FIELDS, "clientMessageId"]
    assert repository.history("s1", None, 20).messages == [MESSAGE]


def test_a_message_stored_without_a_client_id_leaves_the_attribute_out() -> None:
    dynamo = FakeDynamo()
    ChatRepository(dynamo, "chat").add_messages(
        [MESSAGE.model_copy(update={"client_message_id": None})], deadline=float("inf")
    )
    assert "clientMessageId" not in dynamo.items[0]


def test_a_message_stored_before_names_and_client_ids_were_kept_still_reads() -> None:
    [legacy] = ChatRepository(FakeDynamo([LEGACY]), "chat").history("s1", None, 20).messages
    assert (legacy.sender_name, legacy.client_message_id, legacy.timestamp) == ("", None, 1)


def test_the_history_answers_the_messages_oldest_first_in_the_envelope(
    history: partial[Any],
) -> None:
    response = history()
    assert response.status_code == 200
    body = response.get_json()
    assert list(body) == ["message", "data"] and body["message"] == "Chat history retrieved"
    assert [list(m) for m in body["data"]] == [WIRE_FIELDS, WIRE_FIELDS]
    assert body["data"] == [
        {
            "sessionId": "s1",
            "messageId": "0000000000001-aa",
            "timestamp": 1,
            "senderId": "t1",
            "senderName": "",
            "text": "stored before names and client ids were kept",
        },
        MESSAGE.wire(),
    ]
    assert "X-Next-Cursor" not in response.headers


def test_a_history_page_with_more_before_it_names_the_cursor(history: partial[Any]) -> None:
    response = history("?limit=1")
    assert [m["messageId"] for m in response.get_json()["data"]] == [MESSAGE.message_id]
    assert response.headers["X-Next-Cursor"] == MESSAGE.message_id


@pytest.mark.parametrize(
    "change",
    [{"timestamp": -1}, {"text": None}, {"sender_id": 7}],
    ids=["negative-timestamp", "no-text", "not-a-string"],
)
def test_a_message_that_is_not_api_md_s_is_refused(change: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ChatMessage(**{**MESSAGE.model_dump(), **change})
