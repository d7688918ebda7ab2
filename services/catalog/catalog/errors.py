"""What catalog refuses, in its own words; each blueprint's table answers them."""

from __future__ import annotations


class CourseNotFound(Exception):
    """No course with that id (or not visible to the caller)."""


class NotOwner(Exception):
    """Only the teacher who owns the course may change it."""


class CourseIsArchived(Exception):
    """An archived course stays as its students bought it: no more edits or uploads."""
