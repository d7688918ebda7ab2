"""What mentorship is asked to do, one frozen dataclass each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.api.mentorship import AvailabilityBody, SessionStatus


@dataclass(frozen=True)
class SetAvailability:
    """A teacher publishes their hours and booking rules, replacing the last ones."""

    teacher_id: str
    requested: AvailabilityBody


@dataclass(frozen=True)
class FindOpenSlots:
    """Someone looks for a teacher's free slots in [since, until) (default: the next 7 days),
    for one of the teacher's courses when `course_id` is given."""

    teacher_id: str
    since: datetime | None = None
    until: datetime | None = None
    course_id: str | None = None


@dataclass(frozen=True)
class BookSession:
    """A student books the slot starting at `starts_at` with the teacher of a course."""

    student_id: str
    teacher_id: str
    course_id: str
    starts_at: datetime


@dataclass(frozen=True)
class ShowSession:
    """A participant asks for one of their sessions."""

    session_id: str
    user_id: str


@dataclass(frozen=True)
class ChangeSessionStatus:
    """A participant cancels a session, or its teacher marks it completed."""

    session_id: str
    user_id: str
    status: SessionStatus


@dataclass(frozen=True)
class IssueVideoToken:
    """A participant asks to join the session's video call."""

    session_id: str
    user_id: str
