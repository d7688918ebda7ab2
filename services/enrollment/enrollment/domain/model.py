"""An enrollment and the student's progress through the course outline."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shared.events.contracts import CourseSnapshot

ACTIVE, REVOKED = "ACTIVE", "REVOKED"


@dataclass(frozen=True)
class Enrollment:
    user_id: str
    course_id: str
    order_id: str
    enrolled_at: str
    status: str = ACTIVE

    @property
    def active(self) -> bool:
        return self.status == ACTIVE


@dataclass(frozen=True)
class Progress:
    """Per-chapter state keyed by chapter id; the outline comes from the course card."""

    user_id: str
    course_id: str
    chapters: dict[str, dict[str, Any]] = field(default_factory=dict)
    last_accessed: str | None = None

    def completed(self, chapter_id: str) -> bool:
        return bool(self.chapters.get(chapter_id, {}).get("completed"))

    def overall(self, course: CourseSnapshot | None) -> int:
        """Percent of the course's current chapters completed (0 when it has none)."""
        ids = [c.chapter_id for s in (course.sections if course else ()) for c in s.chapters]
        if not ids:
            return 0
        return round(100 * sum(self.completed(i) for i in ids) / len(ids))
