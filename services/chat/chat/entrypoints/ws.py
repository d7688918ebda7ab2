"""The room's WebSocket: admitted at the handshake, then frames in and out."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, request
from flask_sock import Sock
from simple_websocket import Server

from chat.commands import JoinRoom
from chat.connection import Connection
from chat.entrypoints.current import chat, live
from chat.entrypoints.errors import translate_chat_errors
from chat.websocket import NoReaderThread, messages
from shared.auth.access import verify_token, websocket_token

bp = Blueprint("chat_ws", __name__)
translate_chat_errors(bp)
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


@bp.before_request
def admit() -> None:
    """Refuse before the upgrade: a bad token is 401, a stranger 404, an ended session 409, a
    student who no longer holds the course 403."""
    if request.endpoint != "chat_ws.room":
        return
    token, _protocol = websocket_token()
    principal = verify_token(token)
    session_id = (request.view_args or {})["session_id"]
    g.room = chat().admit(JoinRoom(session_id, principal.user_id))
    # permessage-deflate would cost a zlib pass per frame per socket for short texts
    request.environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
    sockets = live()
    g.connection = sockets.connection(principal.user_id, session_id)
    sockets.hub.join(session_id, g.connection)  # before the 101: nothing sent after it is missed


@bp.teardown_request
def leave(_: BaseException | None) -> None:
    connection: Connection | None = g.pop("connection", None)
    if connection is not None:
        live().hub.leave(connection.session_id, connection)
        connection.stop()


@sock.route("/ws/chat/<session_id>", bp=bp)  # type: ignore[untyped-decorator]
def room(ws: Server, session_id: str) -> None:
    """Frames in until the socket closes; leaving the room happens at teardown."""
    sockets, connection = live(), g.connection
    connection.attach(ws)
    sockets.pinger.watch(connection)
    name = (
        g.room.name_of(connection.user_id)
        or sockets.clerk.get_user(connection.user_id).display_name
    )
    on_frame = sockets.on_frame
    for raw in messages(ws, connection, MAX_FRAME_BYTES):
        on_frame(connection, name, raw)
