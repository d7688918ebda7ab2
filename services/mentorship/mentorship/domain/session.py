"""A booked session and the only ways its status may change."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from shared.clock import iso
from shared.events.contracts import MentorshipSession

SCHEDULED, CANCELLED, COMPLETED = "scheduled", "cancelled", "completed"
STATUSES = (SCHEDULED, CANCELLED, COMPLETED)


class TransitionRefused(Exception):
    """The requested status change is not allowed now (409)."""


class TeacherOnly(Exception):
    """Only the session's teacher may do this (403)."""


@dataclass(frozen=True)
class Session:
    session_id: str
    student_id: str
    teacher_id: str
    course_id: str
    starts_at: datetime
    ends_at: datetime
    buffer_minutes: int
    student_name: str
    teacher_name: str
    created_at: str
    updated_at: str
    status: str = SCHEDULED

    def has_participant(self, user_id: str) -> bool:
        return user_id in (self.student_id, self.teacher_id)

    @property
    def blocked_until(self) -> datetime:
        """The teacher is unavailable until the end plus the buffer between sessions."""
        return self.ends_at + timedelta(minutes=self.buffer_minutes)

    def joinable(self, now: datetime, lead_minutes: int) -> bool:
        """A scheduled session can be joined from `lead_minutes` before its start to its end."""
        opens = self.starts_at - timedelta(minutes=lead_minutes)
        return self.status == SCHEDULED and opens <= now < self.ends_at

    def cancel(self, now: datetime, window_hours: float, stamp: str) -> Session:
        """Either participant, while scheduled and up to the window before the start."""
        if self.status != SCHEDULED:
            raise TransitionRefused(f"A {self.status} session can't be cancelled.")
        if now > self.starts_at - timedelta(hours=window_hours):
            raise TransitionRefused(
                f"Sessions can be cancelled up to {window_hours:g} hours before they start."
            )
        return replace(self, status=CANCELLED, updated_at=stamp)

    def complete(self, by: str, now: datetime, stamp: str) -> Session:
        """The teacher, once the session has started."""
        if by != self.teacher_id:
            raise TeacherOnly(self.session_id)
        if self.status != SCHEDULED:
            raise TransitionRefused(f"A {self.status} session can't be completed.")
        if now < self.starts_at:
            raise TransitionRefused("A session can be completed only after it has started.")
        return replace(self, status=COMPLETED, updated_at=stamp)

    def event_payload(self) -> MentorshipSession:
        """The fields its events carry, under the same names."""
        carried = {name: _plain(getattr(self, name)) for name in MentorshipSession.model_fields}
        return MentorshipSession(**carried)


def _plain(value: Any) -> Any:
    return iso(value) if isinstance(value, datetime) else value
