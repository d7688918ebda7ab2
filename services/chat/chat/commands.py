"""What chat is asked to do over HTTP, one frozen dataclass each; its events are commands too.

A socket's frames are not commands: each goes straight to `handlers.on_frame`, with no object
made for it on the way."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class JoinRoom:
    """Someone opens the session's room (the WebSocket handshake)."""

    session_id: str
    user_id: str


@dataclass(frozen=True)
class ReadHistory:
    """Someone asks for the session's stored messages."""

    session_id: str
    reader_id: str
