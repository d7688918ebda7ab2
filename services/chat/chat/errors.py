"""What chat refuses, in its own words; each blueprint's table answers them."""

from __future__ import annotations


class NotInRoom(Exception):
    """No such room, or the caller is not one of its two participants."""


class RoomClosed(Exception):
    """The session is no longer scheduled: its room takes no one."""


class NotEnrolled(Exception):
    """The student no longer holds the session's course (a refund ended it)."""
