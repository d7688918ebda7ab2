"""Enrolled courses and progress as the frontend reads them, as shared/api/learning.py models,
and a student's standing as billing reads it (shared/api/internal.py)."""

from __future__ import annotations

from typing import Any

from enrollment.domain.model import Enrollment, Progress
from shared.api import internal, learning
from shared.events.contracts import CourseSnapshot
from shared.media.playback import PlaybackSigner
from shared.readmodels.course_cards import card_fields


def enrolled_course(
    course: CourseSnapshot, progress: Progress | None, playback: PlaybackSigner
) -> learning.EnrolledCourse:
    """A course from enrollment's own read model, with its overall progress; the thumbnail is a
    signed URL, as media never is public. Validated in one pass from plain fields (cheaper than
    a model per chapter)."""
    return learning.EnrolledCourse.model_validate(
        {
            **card_fields(course),
            "image": playback.sign(course.image_key) if course.image_key else None,
            "sections": [
                {
                    "section_id": s.section_id,
                    "section_title": s.title,
                    "chapters": [
                        {
                            "chapter_id": c.chapter_id,
                            "type": c.type,
                            "title": c.title,
                            "free_preview": c.free_preview,
                        }
                        for c in s.chapters
                    ],
                }
                for s in course.sections
            ],
            "overall_progress": progress.overall(course) if progress else 0,
        }
    )


def course_progress(
    enrollment: Enrollment, progress: Progress, course: CourseSnapshot | None
) -> learning.CourseProgress:
    """The student's progress over the course's current outline; `last_chapter_id` and each
    chapter's `position_seconds` are where to resume, `completed_at` when the course was done."""

    def chapter(chapter_id: str) -> dict[str, Any]:
        state = progress.chapters.get(chapter_id, {})
        return {
            "chapter_id": chapter_id,
            "completed": progress.completed(chapter_id),
            "position_seconds": state.get("positionSeconds"),
            "watched_percent": state.get("watchedPercent"),
        }

    return learning.CourseProgress.model_validate(
        {
            "user_id": enrollment.user_id,
            "course_id": enrollment.course_id,
            "enrollment_date": enrollment.enrolled_at,
            "overall_progress": progress.overall(course),
            "sections": [
                {
                    "section_id": s.section_id,
                    "chapters": [chapter(c.chapter_id) for c in s.chapters],
                }
                for s in (course.sections if course else ())
            ],
            "last_accessed_timestamp": progress.last_accessed,
            "last_chapter_id": progress.last_chapter_id,
            "completed_at": progress.completed_at,
        }
    )


def standing(
    user_id: str,
    course_id: str,
    enrollment: Enrollment | None,
    progress: Progress | None,
    course: CourseSnapshot | None,
    issued: frozenset[str],
) -> internal.Standing:
    """The user's standing in the course as billing's refund rule reads it; progress over the
    course's current outline."""
    return internal.Standing(
        user_id=user_id,
        course_id=course_id,
        enrolled=enrollment is not None and enrollment.active,
        order_id=enrollment.order_id if enrollment else None,
        overall_progress=progress.overall(course) if progress else 0,
        issued_chapter_ids=issued,
    )
