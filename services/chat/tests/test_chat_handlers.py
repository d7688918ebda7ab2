"""Chat's handlers with in-memory fakes: who gets in, what a frame becomes, how events end a
room; no DynamoDB, no Redis."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, cast

import pytest
import redis

from chat import handlers
from chat.adapters.message_writer import MessageWriter
from chat.adapters.repository import ChatRepository
from chat.commands import JoinRoom, ReadHistory
from chat.connection import Connection
from chat.domain.message import ChatMessage
from chat.domain.room import CANCELLED, COMPLETED, Room
from chat.errors import NotEnrolled, NotInRoom, RoomClosed
from chat.fanout import CLOSE_EVENT, RoomHub, channel
from shared.events.contracts import (
    MentorshipSession,
    SessionBooked,
    SessionCancelled,
    SessionCompleted,
)
from shared.events.envelope import Envelope
from shared.messaging.unit_of_work import UnitOfWork
from shared.readmodels.memberships import Memberships
from shared.tests.fakes import FakeUnitOfWork

STUDENT, TEACHER, STRANGER = "u1", "t1", "u9"
SESSION = MentorshipSession(
    session_id="s1",
    student_id=STUDENT,
    teacher_id=TEACHER,
    course_id="c1",
    starts_at="2026-11-25T10:00:00Z",
    ends_at="2026-11-25T10:30:00Z",
    student_name="Sam",
    teacher_name="Tara",
)
CANCELLATION = SessionCancelled(
    session=SESSION, cancelled_by=TEACHER, cancelled_at="2026-11-25T09:00:00Z"
)
ENVELOPE = cast(Envelope, None)  # no handler here reads it


@dataclass
class FakeRooms:
    rooms: dict[str, Room] = field(default_factory=dict)

    def room(self, session_id: str) -> Room | None:
        return self.rooms.get(session_id)

    def save_room(self, uow: FakeUnitOfWork, room: Room) -> None:
        uow.stage(partial(self.rooms.__setitem__, room.session_id, room))


@dataclass
class FakeStudents:
    active: set[tuple[str, str]] = field(default_factory=set)

    def is_active(self, course_id: str, user_id: str) -> bool:
        return (course_id, user_id) in self.active


@dataclass
class FakeBroker:
    published: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def publish(self, name: str, text: str) -> None:
        self.published.append((name, json.loads(text)))


@dataclass
class FakeConnection:
    session_id: str = "s1"
    user_id: str = STUDENT
    tokens: int = 100
    frames: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def allow(self) -> bool:
        self.tokens -= 1
        return self.tokens >= 0

    def send(self, text: str) -> None:
        sent = json.loads(text)
        self.frames.append((sent["event"], sent["data"]))


@dataclass
class FakeWriter:
    stored: list[ChatMessage] = field(default_factory=list)
    fail: bool = False

    def write(self, message: ChatMessage) -> None:
        if self.fail:
            raise TimeoutError("no answer")
        self.stored.append(message)


@dataclass
class FakeHub:
    writer: FakeWriter | None
    broadcasts: list[dict[str, Any]] = field(default_factory=list)
    fail: bool = False

    def broadcast(self, session_id: str, text: str) -> None:
        if self.fail:
            raise redis.ConnectionError("gone")
        sent = json.loads(text)["data"]
        stored = self.writer is None or any(
            m.message_id == sent["messageId"] for m in self.writer.stored
        )
        assert stored, "broadcast before it was stored"
        self.broadcasts.append(sent)


@dataclass
class World:
    rooms: FakeRooms = field(default_factory=FakeRooms)
    students: FakeStudents = field(default_factory=FakeStudents)
    broker: FakeBroker = field(default_factory=FakeBroker)

    def admit(self, user_id: str, session_id: str = "s1") -> Room:
        return handlers.admit(
            JoinRoom(session_id, user_id),
            rooms=cast(ChatRepository, self.rooms),
            students=cast(Memberships, self.students),
        )

    def read(self, user_id: str) -> Room:
        return handlers.readable_room(
            ReadHistory("s1", user_id), rooms=cast(ChatRepository, self.rooms)
        )

    def handle(self, event: Any) -> FakeUnitOfWork:
        """Run the event's handler, as bootstrap routes it, in a unit of work not yet committed."""
        rooms, broker = cast(ChatRepository, self.rooms), cast(redis.Redis, self.broker)
        routing: dict[type, Callable[[Any, Envelope, UnitOfWork], None]] = {
            SessionBooked: partial(handlers.open_room, rooms=rooms),
            SessionCancelled: partial(handlers.close_cancelled_room, rooms=rooms, broker=broker),
            SessionCompleted: partial(handlers.close_completed_room, rooms=rooms, broker=broker),
        }
        uow = FakeUnitOfWork()
        routing[type(event)](event, ENVELOPE, cast(UnitOfWork, uow))
        return uow


@pytest.fixture
def world() -> World:
    made = World()
    made.handle(SessionBooked(session=SESSION)).commit()
    made.students.active.add(("c1", STUDENT))
    return made


def test_a_booked_session_admits_its_two_participants_only(world: World) -> None:
    assert world.admit(STUDENT).name_of(STUDENT) == "Sam"
    assert world.admit(TEACHER).name_of(TEACHER) == "Tara"
    with pytest.raises(NotInRoom):
        world.admit(STRANGER)
    with pytest.raises(NotInRoom):
        world.admit(STUDENT, session_id="no-such-session")


def test_a_student_who_no_longer_holds_the_course_is_refused_the_teacher_is_not(
    world: World,
) -> None:
    world.students.active.clear()
    with pytest.raises(NotEnrolled):
        world.admit(STUDENT)
    assert world.admit(TEACHER).session_id == "s1"


def test_a_room_that_knows_no_course_skips_the_membership_check(world: World) -> None:
    world.students.active.clear()
    world.rooms.rooms["s1"] = replace(world.rooms.rooms["s1"], course_id=None)
    assert world.admit(STUDENT).session_id == "s1"


@pytest.mark.parametrize(
    "event",
    [
        CANCELLATION,
        SessionCompleted(session=SESSION, completed_at="2026-11-25T10:30:00Z"),
    ],
    ids=[CANCELLED, COMPLETED],
)
def test_an_ended_session_closes_its_room_everywhere_once_stored(world: World, event: Any) -> None:
    status = CANCELLED if isinstance(event, SessionCancelled) else COMPLETED
    uow = world.handle(event)
    assert world.broker.published == []  # nothing is told before the room is stored closed
    uow.commit()
    assert world.rooms.rooms["s1"].status == status
    close = {"event": CLOSE_EVENT, "data": {"code": 4410, "reason": f"session {status}"}}
    assert world.broker.published == [(channel("s1"), close)]
    for participant in (STUDENT, TEACHER):
        with pytest.raises(RoomClosed):
            world.admit(participant)


def test_participants_read_the_history_whatever_the_status_strangers_do_not(world: World) -> None:
    world.handle(CANCELLATION).commit()
    assert world.read(STUDENT).status == CANCELLED
    assert world.read(TEACHER).status == CANCELLED
    with pytest.raises(NotInRoom):
        world.read(STRANGER)


def send(
    raw: str | bytes,
    *,
    writer: FakeWriter | None,
    hub_fails: bool = False,
    connection: FakeConnection | None = None,
) -> tuple[FakeConnection, FakeHub]:
    connection = connection or FakeConnection()
    hub = FakeHub(writer, fail=hub_fails)
    handlers.on_frame(
        cast(Connection, connection),
        "Sam",
        raw,
        writer=cast(MessageWriter | None, writer),
        hub=cast(RoomHub, hub),
        max_text_chars=10,
    )
    return connection, hub


def frame(text: str, **data: Any) -> str:
    return json.dumps({"event": "sendMessage", "data": {"text": text, **data}})


def test_a_message_is_stored_then_broadcast_then_acknowledged_as_the_socket_s_user() -> None:
    writer = FakeWriter()
    connection, hub = send(frame("hi", clientMessageId="c1", senderId="forged"), writer=writer)
    [stored] = writer.stored
    assert (stored.sender_id, stored.sender_name, stored.text) == (STUDENT, "Sam", "hi")
    assert hub.broadcasts == [
        {
            "sessionId": "s1",
            "messageId": stored.message_id,
            "timestamp": stored.timestamp,
            "senderId": STUDENT,
            "senderName": "Sam",
            "text": "hi",
        }
    ]
    assert connection.frames == [("ack", {"clientMessageId": "c1", "messageId": stored.message_id})]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"bytes", "bad_frame"),
        ("not json", "bad_frame"),
        (json.dumps({"event": "deleteEverything"}), "unknown_event"),
        (frame(" "), "invalid_text"),
        (frame("x" * 11), "invalid_text"),
        (frame("hi", clientMessageId=7), "bad_frame"),
    ],
)
def test_a_refused_frame_is_answered_and_nothing_is_stored_or_sent(
    raw: str | bytes, code: str
) -> None:
    writer = FakeWriter()
    connection, hub = send(raw, writer=writer)
    assert [(event, data["code"]) for event, data in connection.frames] == [("error", code)]
    assert writer.stored == [] and hub.broadcasts == []


def test_a_sender_over_its_rate_is_refused_until_it_has_tokens_again() -> None:
    writer, connection = FakeWriter(), FakeConnection(tokens=2)
    for n in range(3):
        send(frame(f"m{n}"), writer=writer, connection=connection)
    assert [m.text for m in writer.stored] == ["m0", "m1"]
    assert connection.frames[-1] == (
        "error",
        {"code": "rate_limited", "message": "Slow down: too many messages."},
    )


def test_a_message_not_stored_is_never_broadcast() -> None:
    connection, hub = send(frame("hi", clientMessageId="c1"), writer=FakeWriter(fail=True))
    assert hub.broadcasts == []
    assert connection.frames == [
        (
            "error",
            {
                "code": "not_stored",
                "message": "The message was not saved; send it again.",
                "clientMessageId": "c1",
            },
        )
    ]


def test_a_stored_message_redis_failed_to_broadcast_is_still_acknowledged() -> None:
    writer = FakeWriter()
    connection, _ = send(frame("hi", clientMessageId="c1"), writer=writer, hub_fails=True)
    ack = {"clientMessageId": "c1", "messageId": writer.stored[0].message_id}
    assert connection.frames == [("error", {"code": "not_broadcast", **ack}), ("ack", ack)]


def test_without_storage_a_failed_broadcast_is_not_delivered_and_not_acknowledged() -> None:
    connection, hub = send(frame("hi", clientMessageId="c1"), writer=None, hub_fails=True)
    assert [(event, data["code"]) for event, data in connection.frames] == [
        ("error", "not_delivered")
    ]
    connection, hub = send(frame("hi"), writer=None)
    assert [event for event, _ in connection.frames] == ["ack"] and len(hub.broadcasts) == 1
