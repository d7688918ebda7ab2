"""Chat's DynamoDB keys: a room item and its messages share the session's partition."""

from __future__ import annotations

from shared.dynamo.keys import compose, key


def room_partition(session_id: str) -> str:
    return compose("ROOM", session_id)


def room_key(session_id: str) -> dict[str, str]:
    return key(room_partition(session_id), "ROOM")


def message_key(session_id: str, message_id: str) -> dict[str, str]:
    """Sorted by time: the message id starts with its zero-padded millisecond."""
    return key(room_partition(session_id), message_sort_key(message_id))


def message_sort_key(message_id: str) -> str:
    return compose("MSG", message_id)
