"""How chat's domain exceptions answer, the same on every blueprint."""

from __future__ import annotations

from flask import Blueprint

from chat import errors
from shared.web.errors import translate_errors


def translate_chat_errors(bp: Blueprint) -> None:
    translate_errors(
        bp,
        {
            errors.NotInRoom: (404, "room_not_found", "No such chat room."),
            errors.RoomClosed: (409, "room_closed", "This session's chat is closed."),
            errors.NotEnrolled: (
                403,
                "not_enrolled",
                "Only students enrolled in the course may join its sessions.",
            ),
        },
    )
