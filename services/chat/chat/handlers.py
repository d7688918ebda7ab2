"""Chat's handlers: each takes its command, frame or event and only what it needs."""

from __future__ import annotations

import logging
import time
from functools import partial

import redis

from chat.adapters.message_writer import MessageWriter
from chat.adapters.repository import ChatRepository
from chat.commands import JoinRoom, ReadHistory
from chat.connection import Connection
from chat.domain.message import (
    ChatMessage,
    FrameRefused,
    frame,
    message_id,
    parse_frame,
)
from chat.domain.room import CANCELLED, COMPLETED, SCHEDULED, Room, room_of
from chat.errors import NotEnrolled, NotInRoom, RoomClosed
from chat.fanout import RoomHub, close_room
from shared.events.contracts import (
    MentorshipSession,
    SessionBooked,
    SessionCancelled,
    SessionCompleted,
)
from shared.events.envelope import Envelope
from shared.messaging.unit_of_work import UnitOfWork
from shared.readmodels.memberships import Memberships

log = logging.getLogger(__name__)
ROOM_CLOSED = 4410
"""Close code when the session is cancelled or completed while its room is open."""


def admit(command: JoinRoom, *, rooms: ChatRepository, students: Memberships) -> Room:
    """The room, if the caller is a participant, it is open, and a student still holds the
    session's course."""
    session_id, user_id = command.session_id, command.user_id
    room = rooms.room(session_id)
    if room is None or not room.has_participant(user_id):
        raise NotInRoom(session_id)
    if not room.open:
        raise RoomClosed(session_id)
    course_id = room.course_id  # the teacher is always admitted; a legacy room knows no course
    if user_id == room.student_id and course_id and not students.is_active(course_id, user_id):
        raise NotEnrolled(session_id)
    return room


def readable_room(query: ReadHistory, *, rooms: ChatRepository) -> Room:
    """Participants may read the history whatever the session's status."""
    room = rooms.room(query.session_id)
    if room is None or not room.has_participant(query.reader_id):
        raise NotInRoom(query.session_id)
    return room


def on_frame(
    connection: Connection,
    sender_name: str,
    raw: str | bytes,
    *,
    writer: MessageWriter | None,
    hub: RoomHub,
    max_text_chars: int,
) -> None:
    """Store, then broadcast to the room and acknowledge; a refused frame gets an error frame.
    No `writer` (CHAT_PERSIST off) broadcasts without storing."""
    try:
        if not connection.allow():
            raise FrameRefused("rate_limited", "Slow down: too many messages.")
        outgoing = parse_frame(raw, max_text_chars)
    except FrameRefused as refused:
        connection.send(frame("error", {"code": refused.code, "message": refused.message}))
        return
    now_ms = int(time.time() * 1000)
    message = ChatMessage(
        session_id=connection.session_id,
        message_id=message_id(now_ms),
        timestamp=now_ms,
        sender_id=connection.user_id,
        sender_name=sender_name,
        text=outgoing.text,
        client_message_id=outgoing.client_message_id,
    )
    if writer is not None:
        try:
            writer.write(message)
        except Exception:
            error = {"code": "not_stored", "message": "The message was not saved; send it again."}
            connection.send(
                frame("error", {**error, "clientMessageId": outgoing.client_message_id})
            )
            return
    ack = {"clientMessageId": outgoing.client_message_id, "messageId": message.message_id}
    try:
        hub.broadcast(message.session_id, frame("newMessage", message))
    except redis.RedisError:
        log.warning("chat broadcast failed", extra={"session_id": message.session_id})
        if writer is None:
            connection.send(frame("error", {"code": "not_delivered", **ack}))
            return
        # stored, so nothing is lost: the room reads it from the history
        connection.send(frame("error", {"code": "not_broadcast", **ack}))
    connection.send(frame("ack", ack))


def open_room(
    event: SessionBooked, _envelope: Envelope, uow: UnitOfWork, *, rooms: ChatRepository
) -> None:
    """A booked session's two participants may join its room."""
    rooms.save_room(uow, room_of(event.session, SCHEDULED))


def close_cancelled_room(
    event: SessionCancelled,
    _envelope: Envelope,
    uow: UnitOfWork,
    *,
    rooms: ChatRepository,
    broker: redis.Redis,
) -> None:
    _close(uow, event.session, CANCELLED, rooms=rooms, broker=broker)


def close_completed_room(
    event: SessionCompleted,
    _envelope: Envelope,
    uow: UnitOfWork,
    *,
    rooms: ChatRepository,
    broker: redis.Redis,
) -> None:
    _close(uow, event.session, COMPLETED, rooms=rooms, broker=broker)


def _close(
    uow: UnitOfWork,
    session: MentorshipSession,
    status: str,
    *,
    rooms: ChatRepository,
    broker: redis.Redis,
) -> None:
    """An ended session's room takes no one again, and its open sockets close everywhere."""
    rooms.save_room(uow, room_of(session, status))
    # Only once the room is stored closed: a client told so may not get back in.
    uow.after_commit(
        partial(close_room, broker, session.session_id, ROOM_CLOSED, f"session {status}")
    )
