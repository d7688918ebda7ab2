"""Chat's commands and event handlers; the routing table is at the bottom."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

import redis

from chat.adapters.repository import ChatRepository
from chat.connection import Connection
from chat.domain.message import (
    ChatMessage,
    FrameRefused,
    frame,
    message_id,
    message_json,
    parse_frame,
)
from chat.domain.room import CANCELLED, COMPLETED, SCHEDULED, Room
from chat.fanout import close_room
from shared.events.contracts import (
    MentorshipSession,
    SessionBooked,
    SessionCancelled,
    SessionCompleted,
)
from shared.events.envelope import Envelope
from shared.messaging.consumer import EventHandler
from shared.messaging.unit_of_work import UnitOfWork
from shared.readmodels.memberships import Memberships, membership_handlers

if TYPE_CHECKING:
    from chat.bootstrap import Chat

log = logging.getLogger(__name__)
ROOM_CLOSED = 4410
"""Close code when the session is cancelled or completed while its room is open."""


class NotInRoom(Exception):
    """No such room, or the caller is not one of its two participants."""


class RoomClosed(Exception):
    """The session is no longer scheduled: its room takes no one."""


class NotEnrolled(Exception):
    """The student no longer holds the session's course (a refund ended it)."""


def admit(chat: Chat, session_id: str, user_id: str) -> Room:
    """The room, if the caller is a participant, it is open, and a student still holds the
    session's course."""
    room = chat.rooms.room(session_id)
    if room is None or not room.has_participant(user_id):
        raise NotInRoom(session_id)
    if not room.open:
        raise RoomClosed(session_id)
    course_id = room.course_id  # the teacher is always admitted; a legacy room knows no course
    if user_id == room.student_id and course_id and not chat.students.is_active(course_id, user_id):
        raise NotEnrolled(session_id)
    return room


def readable_room(chat: Chat, session_id: str, user_id: str) -> Room:
    """Participants may read the history whatever the session's status."""
    room = chat.rooms.room(session_id)
    if room is None or not room.has_participant(user_id):
        raise NotInRoom(session_id)
    return room


def on_frame(chat: Chat, connection: Connection, sender_name: str, raw: str | bytes) -> None:
    """Store, then broadcast to the room and acknowledge; a refused frame gets an error frame."""
    try:
        if not connection.allow():
            raise FrameRefused("rate_limited", "Slow down: too many messages.")
        outgoing = parse_frame(raw, chat.settings.chat.max_text_chars)
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
    if chat.writer is not None:
        try:
            chat.writer.write(message)
        except Exception:
            error = {"code": "not_stored", "message": "The message was not saved; send it again."}
            connection.send(
                frame("error", {**error, "clientMessageId": outgoing.client_message_id})
            )
            return
    ack = {"clientMessageId": outgoing.client_message_id, "messageId": message.message_id}
    try:
        chat.hub.broadcast(message.session_id, frame("newMessage", message_json(message)))
    except redis.RedisError:
        log.warning("chat broadcast failed", extra={"session_id": message.session_id})
        if chat.writer is None:
            connection.send(frame("error", {"code": "not_delivered", **ack}))
            return
        # stored, so nothing is lost: the room reads it from the history
        connection.send(frame("error", {"code": "not_broadcast", **ack}))
    connection.send(frame("ack", ack))


def _room(session: MentorshipSession, status: str) -> Room:
    return Room(
        session_id=session.session_id,
        student_id=session.student_id,
        teacher_id=session.teacher_id,
        student_name=session.student_name,
        teacher_name=session.teacher_name,
        status=status,
        course_id=session.course_id,
    )


def event_handlers(
    rooms: ChatRepository, students: Memberships, broker: redis.Redis
) -> Mapping[str, EventHandler]:
    """Rooms follow their sessions; an ended session closes its open sockets everywhere. Who
    holds which course comes from enrollment events."""

    def booked(event: SessionBooked, _: Envelope, uow: UnitOfWork) -> None:
        rooms.save_room(uow, _room(event.session, SCHEDULED))

    def cancelled(event: SessionCancelled, _: Envelope, uow: UnitOfWork) -> None:
        rooms.save_room(uow, _room(event.session, CANCELLED))
        # Only once the room is stored closed: a client told so may not get back in.
        uow.after_commit(
            lambda: close_room(broker, event.session.session_id, ROOM_CLOSED, "session cancelled")
        )

    def completed(event: SessionCompleted, _: Envelope, uow: UnitOfWork) -> None:
        rooms.save_room(uow, _room(event.session, COMPLETED))
        uow.after_commit(
            lambda: close_room(broker, event.session.session_id, ROOM_CLOSED, "session completed")
        )

    return {
        SessionBooked.EVENT_TYPE: booked,
        SessionCancelled.EVENT_TYPE: cancelled,
        SessionCompleted.EVENT_TYPE: completed,
        **membership_handlers(students),
    }
