"""Chat: a mentorship session's live room (a WebSocket) and its stored history."""

from __future__ import annotations

from pydantic import Field

from shared.api.common import INVALID, error
from shared.api.spec import (
    Answer,
    Operations,
    OperationSpec,
    Param,
    ResponseModel,
    Schema,
    array,
    component_schemas,
    envelope,
    integer,
    ref,
    string,
)

TAG = "chat"
FRAMES = """Frames are JSON text:

- client → server `{"event": "sendMessage", "data": {"text": "…", "clientMessageId": "…"}}`
  (text 1 to 2000 characters);
- server → the room `{"event": "newMessage", "data": <ChatMessage>}`; the sender also gets
  `{"event": "ack", "data": {"clientMessageId", "messageId"}}`;
- errors `{"event": "error", "data": {"code", "message"}}` (`bad_frame`, `unknown_event`,
  `invalid_text`, `rate_limited`, `not_stored`, `not_broadcast`); the socket stays open.

The sender's id and name come from the token, never from a frame; a message is stored before it
is broadcast. Close codes: 1000, 1001 (ping timeout), 1008 (too slow), 1009 (frame over 16 KiB),
4410 (the session was cancelled or completed)."""


class ChatMessage(ResponseModel):
    """A stored message, as the room's `newMessage` frame and the history carry it."""

    session_id: str
    message_id: str
    """Time-ordered: `<13-digit ms>-<random>`."""
    timestamp: int = Field(ge=0)
    """Epoch milliseconds."""
    sender_id: str
    sender_name: str
    """From the sender's Clerk profile."""
    text: str


SCHEMAS: dict[str, Schema] = component_schemas(ChatMessage)

OPERATIONS: Operations = {
    "GET /ws/chat/{sessionId}": OperationSpec(
        TAG,
        {
            101: Answer("Upgraded: the room's frames flow (see the description)."),
            400: error("Not a WebSocket upgrade (`websocket_required`)."),
            401: error("No, a bad or an expired token."),
            403: error("The student no longer holds the session's course (`not_enrolled`)."),
            404: error("Not a participant, or no such room."),
            409: error("The session was cancelled or completed (`room_closed`)."),
        },
        "A WebSocket upgrade. Browsers cannot set headers on a WebSocket, so the token travels"
        " as `?token=` or as the subprotocol `bearer.<jwt>` (offer `prolearn.chat` beside it),"
        " and is checked with the participant before the upgrade.\n\n" + FRAMES,
        (
            Param("token", string(), "The session token (or use the subprotocol)."),
            Param(
                "Sec-WebSocket-Protocol",
                string(),
                "`bearer.<jwt>, prolearn.chat`: the token as a subprotocol.",
                location="header",
            ),
        ),
    ),
    "GET /mentorship/chat/{sessionId}": OperationSpec(
        TAG,
        {
            200: Answer(
                "Messages oldest → newest.",
                envelope(array(ref("ChatMessage"))),
                headers={"X-Next-Cursor": "The `before` that reads the page before this one."},
            ),
            400: INVALID,
            404: error("Not a participant, or no such room (`room_not_found`)."),
        },
        params=(
            Param("before", string(), "A message id: read the messages before it."),
            Param("limit", integer(minimum=1, maximum=100, default=20), "1 to 100, default 20."),
        ),
    ),
}
