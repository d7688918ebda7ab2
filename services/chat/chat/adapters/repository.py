"""Rooms and messages in chat's table."""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chat.adapters import keys
from chat.domain.message import ChatMessage
from chat.domain.room import Room
from shared.backoff import backoff_seconds
from shared.dynamo.codec import Item, deserialize, serialize, values
from shared.dynamo.reads import get_item
from shared.messaging.unit_of_work import UnitOfWork

BATCH_WRITE_LIMIT = 25
RETRY_BASE_SECONDS = 0.01
RETRY_MAX_SECONDS = 0.5


THROTTLED = frozenset(
    {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"}
)


def _transient(error: Exception) -> bool:
    """A timeout, a lost connection, throttling or a 5xx: worth another try; a refusal is not."""
    if not isinstance(error, ClientError):
        return True
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return error.response.get("Error", {}).get("Code") in THROTTLED or status >= 500


class StoreFailed(Exception):
    """DynamoDB still left some messages unprocessed at the deadline."""


@dataclass(frozen=True)
class History:
    messages: list[ChatMessage]
    """Oldest to newest."""
    earlier: str | None
    """The `before` that reads the page before this one, if there may be one."""


def _room(item: Item) -> Room:
    return Room(
        session_id=item["sessionId"],
        student_id=item["studentId"],
        teacher_id=item["teacherId"],
        student_name=item.get("studentName", ""),
        teacher_name=item.get("teacherName", ""),
        status=item["status"],
        course_id=item.get("courseId"),
    )


def _room_item(room: Room) -> Item:
    """The stored room: what `_room` reads back, and its status's rank for the condition."""
    return {
        **keys.room_key(room.session_id),
        "sessionId": room.session_id,
        "studentId": room.student_id,
        "teacherId": room.teacher_id,
        "studentName": room.student_name,
        "teacherName": room.teacher_name,
        "courseId": room.course_id,
        "status": room.status,
        "statusRank": room.rank,
    }


def _message_item(message: ChatMessage) -> Item:
    """The stored message: the API's ChatMessage and the sender's own id for it."""
    return {
        **keys.message_key(message.session_id, message.message_id),
        **message.wire(),
        "clientMessageId": message.client_message_id,
    }


def _message(item: Item) -> ChatMessage:
    """What `_message_item` stored, read by the same names; a message stored before senders'
    names were kept has none."""
    return ChatMessage.from_wire({"senderName": "", **item})


class ChatRepository:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def room(self, session_id: str) -> Room | None:
        item = get_item(self._client, self._table, keys.room_key(session_id))
        return _room(item) if item else None

    def save_room(self, uow: UnitOfWork, room: Room) -> None:
        """A room moves forward only (checked again at commit)."""
        current = self.room(room.session_id)
        if current is not None and current.rank >= room.rank:
            return
        uow.tx.put(
            _room_item(room),
            condition="attribute_not_exists(PK) OR statusRank < :rank",
            values=values(rank=room.rank),
        )

    def add_messages(self, messages: Sequence[ChatMessage], deadline: float) -> None:
        """Store a batch, retrying what DynamoDB left unprocessed or failed to answer until the
        monotonic `deadline`. Writing a message again is harmless: its id is its key."""
        for start in range(0, len(messages), BATCH_WRITE_LIMIT):
            requests = [
                {"PutRequest": {"Item": serialize(_message_item(m))}}
                for m in messages[start : start + BATCH_WRITE_LIMIT]
            ]
            pending: dict[str, Any] = {self._table: requests}
            for attempt in itertools.count(1):
                try:
                    response = self._client.batch_write_item(RequestItems=pending)
                    pending = response.get("UnprocessedItems") or {}
                except (BotoCoreError, ClientError) as error:
                    if not _transient(error) or time.monotonic() + RETRY_BASE_SECONDS >= deadline:
                        raise
                if not pending:
                    break
                pause = backoff_seconds(attempt, RETRY_BASE_SECONDS, RETRY_MAX_SECONDS)
                if time.monotonic() + pause >= deadline:
                    raise StoreFailed(f"{len(pending[self._table])} messages unprocessed")
                time.sleep(pause)

    def history(self, session_id: str, before: str | None, limit: int) -> History:
        """Up to `limit` messages before the message id `before` (the newest when None)."""
        upper = keys.message_sort_key(before) if before else keys.message_sort_key("~")
        response = self._client.query(
            TableName=self._table,
            KeyConditionExpression="PK = :pk AND SK BETWEEN :lo AND :hi",
            ExpressionAttributeValues=values(
                pk=keys.room_partition(session_id), lo=keys.message_sort_key(""), hi=upper
            ),
            ScanIndexForward=False,
            Limit=limit + 1,
            ConsistentRead=True,
        )
        items = [deserialize(i) for i in response.get("Items", [])]
        found = [_message(i) for i in items if i["messageId"] != before][:limit]
        found.reverse()
        more = len(items) > limit or "LastEvaluatedKey" in response
        return History(found, found[0].message_id if found and more else None)
