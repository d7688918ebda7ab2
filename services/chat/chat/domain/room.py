"""A session's chat room as mentorship events describe it: who may join, and whether it is open."""

from __future__ import annotations

from dataclasses import dataclass

from shared.events.contracts import MentorshipSession

SCHEDULED, CANCELLED, COMPLETED = "scheduled", "cancelled", "completed"
STATUS_RANK = {SCHEDULED: 0, COMPLETED: 1, CANCELLED: 1}
"""Statuses only move forward, so a late `booked` never reopens a cancelled room."""


@dataclass(frozen=True)
class Room:
    session_id: str
    student_id: str
    teacher_id: str
    student_name: str
    teacher_name: str
    status: str = SCHEDULED
    course_id: str | None = None
    """The course the session was booked under; None for a room stored before rooms kept it."""

    @property
    def open(self) -> bool:
        return self.status == SCHEDULED

    @property
    def rank(self) -> int:
        return STATUS_RANK[self.status]

    def has_participant(self, user_id: str) -> bool:
        return user_id in (self.student_id, self.teacher_id)

    def name_of(self, user_id: str) -> str:
        return self.student_name if user_id == self.student_id else self.teacher_name


def room_of(session: MentorshipSession, status: str) -> Room:
    """The room of a session as its latest event describes it."""
    return Room(
        session_id=session.session_id,
        student_id=session.student_id,
        teacher_id=session.teacher_id,
        student_name=session.student_name,
        teacher_name=session.teacher_name,
        status=status,
        course_id=session.course_id,
    )
