"""An enrollment and the student's progress through the course outline."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shared.events.contracts import CourseSnapshot

ACTIVE, REVOKED = "ACTIVE", "REVOKED"
DELETED_COURSE = "Deleted"


@dataclass(frozen=True)
class Enrollment:
    user_id: str
    course_id: str
    order_id: str
    enrolled_at: str
    status: str = ACTIVE
    standby_orders: frozenset[str] = frozenset()
    """Other paid orders for the course, which keep access if the granting one is refunded."""

    @property
    def active(self) -> bool:
        return self.status == ACTIVE


def chapter_ids(course: CourseSnapshot | None) -> list[str]:
    """The course's current chapters, in outline order."""
    return [c.chapter_id for s in (course.sections if course else ()) for c in s.chapters]


@dataclass(frozen=True)
class Progress:
    """Per-chapter state keyed by chapter id; the outline comes from the course card.

    A chapter's state holds `completed` (and `completedAt`), the highest `watchedPercent` seen
    and the latest `positionSeconds` (where to resume). `version` guards concurrent updates."""

    user_id: str
    course_id: str
    chapters: dict[str, dict[str, Any]] = field(default_factory=dict)
    last_accessed: str | None = None
    last_chapter_id: str | None = None
    completed_at: str | None = None
    version: int = 0

    def completed(self, chapter_id: str) -> bool:
        return bool(self.chapters.get(chapter_id, {}).get("completed"))

    def overall(self, course: CourseSnapshot | None) -> int:
        """Percent of the course's current chapters completed (0 when it has none)."""
        ids = chapter_ids(course)
        if not ids:
            return 0
        return round(100 * sum(self.completed(i) for i in ids) / len(ids))

    def finished(self, course: CourseSnapshot | None) -> bool:
        ids = chapter_ids(course)
        return bool(ids) and all(self.completed(i) for i in ids)
