"""The wired chat of the app serving this request."""

from __future__ import annotations

from flask import current_app

from chat.bootstrap import Chat, LiveRooms


def chat() -> Chat:
    wired: Chat = current_app.extensions["chat"]
    return wired


def live() -> LiveRooms:
    rooms: LiveRooms = current_app.extensions["chat_live"]
    return rooms
