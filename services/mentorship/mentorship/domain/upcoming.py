"""A student's upcoming sessions with one teacher, and the limit on how many they may hold."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


class BookingLimitReached(Exception):
    """The student already holds the allowed number of upcoming sessions with this teacher."""


@dataclass(frozen=True)
class Upcoming:
    """The sessions a student held with a teacher when this was last written (id → start),
    and that write's version (0: never written). Started ones no longer count."""

    student_id: str
    teacher_id: str
    starts: Mapping[str, datetime] = field(default_factory=dict)
    version: int = 0

    def pending(self, now: datetime) -> dict[str, datetime]:
        """Scheduled and not yet started: what counts against the limit."""
        return {session_id: start for session_id, start in self.starts.items() if start > now}

    def hold(self, session_id: str, starts_at: datetime, now: datetime, limit: int) -> Upcoming:
        """The set with one more session (and without the started ones); `limit` 0 = none."""
        pending = self.pending(now)
        if limit and len(pending) >= limit:
            raise BookingLimitReached(f"{len(pending)} upcoming sessions, at most {limit}")
        return Upcoming(
            self.student_id,
            self.teacher_id,
            {**pending, session_id: starts_at},
            self.version + 1,
        )
