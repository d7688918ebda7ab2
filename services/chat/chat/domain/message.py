"""Chat messages: the frames a client may send, and the message ids that never collide."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from pydantic import Field
from pydantic_core import to_json

from shared.api import chat as api
from shared.web.json_provider import bounded_loads

SEND_MESSAGE = "sendMessage"
MAX_CLIENT_ID = 100


class FrameRefused(Exception):
    """A frame the server will not act on; answered with an `error` frame, not a close."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ChatMessage(api.ChatMessage):
    """The API's ChatMessage and the sender's own id for it, which is stored and acknowledged
    but never broadcast."""

    client_message_id: str | None = Field(default=None, exclude=True)


@dataclass(frozen=True)
class Outgoing:
    """What a `sendMessage` frame asks for."""

    text: str
    client_message_id: str | None


def message_id(timestamp_ms: int) -> str:
    """Time-ordered and unique: the millisecond, then 48 random bits (two messages in one
    millisecond, even on two replicas, still get different keys)."""
    return f"{timestamp_ms:013d}-{secrets.token_hex(6)}"


def parse_frame(raw: str | bytes, max_chars: int) -> Outgoing:
    """A client frame, checked; anything else is refused with a reason."""
    if isinstance(raw, bytes):
        raise FrameRefused("bad_frame", "Frames are JSON text.")
    try:
        frame = bounded_loads(raw)
    except ValueError:
        raise FrameRefused("bad_frame", "Frames are JSON objects.") from None
    if not isinstance(frame, dict) or frame.get("event") != SEND_MESSAGE:
        raise FrameRefused("unknown_event", f"The only event a client sends is {SEND_MESSAGE}.")
    data = frame.get("data")
    if not isinstance(data, dict):
        raise FrameRefused("bad_frame", "sendMessage needs a data object.")
    text = data.get("text")
    if not isinstance(text, str) or not text.strip() or len(text) > max_chars:
        raise FrameRefused("invalid_text", f"text must be 1 to {max_chars} characters.")
    client_id = data.get("clientMessageId")
    if client_id is not None and (not isinstance(client_id, str) or len(client_id) > MAX_CLIENT_ID):
        raise FrameRefused(
            "bad_frame", f"clientMessageId must be a string of at most {MAX_CLIENT_ID}."
        )
    return Outgoing(text, client_id)


def frame(event: str, data: object) -> str:
    """A server frame: compact JSON with non-ASCII characters as they are, a model in `data`
    as its wire shape (written by pydantic's serializer in one pass)."""
    return to_json({"event": event, "data": data}, by_alias=True).decode()
