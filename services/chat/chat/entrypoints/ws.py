"""The room's WebSocket: admitted at the handshake, then frames in and out."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, request
from flask_sock import Sock
from simple_websocket import Server

from chat import handlers
from chat.bootstrap import Chat
from chat.connection import Connection
from chat.websocket import NoReaderThread, messages
from shared.auth.access import verify_token, websocket_token
from shared.web.errors import Conflict, Forbidden, NotFound

bp = Blueprint("chat_ws", __name__)
sock = Sock()
PROTOCOL = "prolearn.chat"
MAX_FRAME_BYTES = 16 * 1024


class _Accepted(list[str]):
    """Subprotocols the server may pick: ours, else the client's `bearer.<jwt>` when it was the
    only one offered (a browser fails the handshake unless one offered protocol is echoed)."""

    def __contains__(self, protocol: object) -> bool:
        return isinstance(protocol, str) and (
            protocol == PROTOCOL or protocol.startswith("bearer.")
        )


SERVER_OPTIONS: dict[str, Any] = {
    "subprotocols": _Accepted([PROTOCOL]),  # non-empty: simple-websocket drops a falsy list
    "ping_interval": None,  # chat's Pinger pings, through each socket's one writer
    "thread_class": NoReaderThread,  # the handler reads its socket itself
}


def _chat() -> Chat:
    chat: Chat = current_app.extensions["chat"]
    return chat


@bp.before_request
def admit() -> None:
    """Refuse before the upgrade: a bad token is 401, a stranger 404, an ended session 409, a
    student who no longer holds the course 403."""
    if request.endpoint != "chat_ws.room":
        return
    token, _protocol = websocket_token()
    principal = verify_token(token)
    session_id = (request.view_args or {})["session_id"]
    try:
        g.room = handlers.admit(_chat(), session_id, principal.user_id)
    except handlers.NotInRoom:
        raise NotFound("No such chat room.", code="room_not_found") from None
    except handlers.RoomClosed:
        raise Conflict("This session's chat is closed.", code="room_closed") from None
    except handlers.NotEnrolled:
        raise Forbidden(
            "Only students enrolled in the course may join its sessions.", code="not_enrolled"
        ) from None
    # permessage-deflate would cost a zlib pass per frame per socket for short texts
    request.environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
    policy = _chat().settings.chat
    g.connection = Connection(
        user_id=principal.user_id,
        session_id=session_id,
        rate=policy.messages_per_second,
        burst=policy.burst,
        queue_limit=policy.outbox_frames,
    )
    _chat().hub.join(session_id, g.connection)  # before the 101: nothing sent after it is missed


@bp.teardown_request
def leave(_: BaseException | None) -> None:
    connection: Connection | None = g.pop("connection", None)
    if connection is not None:
        _chat().hub.leave(connection.session_id, connection)
        connection.stop()


@sock.route("/ws/chat/<session_id>", bp=bp)  # type: ignore[untyped-decorator]
def room(ws: Server, session_id: str) -> None:
    """Frames in until the socket closes; leaving the room happens at teardown."""
    chat, connection = _chat(), g.connection
    connection.attach(ws)
    chat.pinger.watch(connection)
    name = (
        g.room.name_of(connection.user_id) or chat.clerk.get_user(connection.user_id).display_name
    )
    for raw in messages(ws, connection, MAX_FRAME_BYTES):
        handlers.on_frame(chat, connection, name, raw)
