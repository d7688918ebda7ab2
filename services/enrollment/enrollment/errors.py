"""What enrollment refuses, in its own words; each blueprint's table answers them."""

from __future__ import annotations


class NotEnrolled(Exception):
    """The caller has no active enrollment in the course."""


class CourseUnknown(Exception):
    """No such course (or chapter) in enrollment's read model."""


class NoVideo(Exception):
    """The chapter has no video to play."""


class SignInToWatch(Exception):
    """The chapter is for enrolled students and the caller is anonymous."""


class NotOwner(Exception):
    """Only the course's teacher may see this."""
