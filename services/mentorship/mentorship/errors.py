"""What mentorship refuses, in its own words; the blueprint's table answers them."""

from __future__ import annotations

from shared.invalid import Invalid


class BookingInvalid(Invalid):
    """The booking or the slots' window names bad fields; details maps each to its problem."""


class CourseUnknown(Exception):
    """No such course in mentorship's read model."""


class NotEnrolled(Exception):
    """Only students enrolled in the course may book its teacher or join its sessions."""


class SessionNotFound(Exception):
    """No such session, or the caller is not one of its participants."""


class NoAvailability(Exception):
    """The teacher has not published availability."""


class TokenWindowClosed(Exception):
    """Video tokens are issued from shortly before the start until the end."""
