"""How much of a course's chapters a viewer may have: the outline, the free previews, or all."""

from __future__ import annotations

import enum

from catalog.domain.model import Chapter, Course


class Access(enum.Enum):
    """Which chapters a response carries with their `content` and `video`; every response
    carries the outline (ids, titles, types, freePreview)."""

    OUTLINE = "outline"
    """No chapter's content or video: listings and cards, one answer for every caller."""
    PREVIEW = "preview"
    """Free-preview chapters only: anyone looking at a published course."""
    FULL = "full"
    """Every chapter: the course's teacher and its enrolled students."""

    def opens(self, chapter: Chapter) -> bool:
        return self is Access.FULL or (self is Access.PREVIEW and chapter.free_preview)

    def videos(self, course: Course) -> frozenset[str]:
        """Ids of the chapters whose video this access plays."""
        return frozenset(c.chapter_id for c in course.chapters if c.video and self.opens(c))
