"""Enrolled courses and progress as the frontend reads them."""

from __future__ import annotations

from typing import Any

from enrollment.domain.model import Enrollment, Progress
from shared.api.courses import CourseCard
from shared.events.contracts import CourseSnapshot
from shared.media.playback import PlaybackSigner
from shared.readmodels.course_cards import card_fields


def course_json(
    course: CourseSnapshot, progress: Progress | None, playback: PlaybackSigner
) -> dict[str, Any]:
    """A Course object built from enrollment's own read model, with overallProgress; the
    thumbnail is a signed URL, as media never is public."""
    return {
        **CourseCard(**card_fields(course)).wire(),
        "image": playback.sign(course.image_key) if course.image_key else None,
        "sections": [
            {
                "sectionId": s.section_id,
                "sectionTitle": s.title,
                "chapters": [
                    {
                        "chapterId": c.chapter_id,
                        "type": c.type,
                        "title": c.title,
                        "freePreview": c.free_preview,
                    }
                    for c in s.chapters
                ],
            }
            for s in course.sections
        ],
        "overallProgress": progress.overall(course) if progress else 0,
    }


def progress_json(
    enrollment: Enrollment, progress: Progress, course: CourseSnapshot | None
) -> dict[str, Any]:
    """The student's progress over the course's current outline; `lastChapterId` and each
    chapter's `positionSeconds` are where to resume, `completedAt` when the course was done."""

    def chapter(chapter_id: str) -> dict[str, Any]:
        state = progress.chapters.get(chapter_id, {})
        extra: dict[str, Any] = {
            k: state[k] for k in ("positionSeconds", "watchedPercent") if k in state
        }
        return {"chapterId": chapter_id, "completed": progress.completed(chapter_id), **extra}

    return {
        "userId": enrollment.user_id,
        "courseId": enrollment.course_id,
        "enrollmentDate": enrollment.enrolled_at,
        "overallProgress": progress.overall(course),
        "sections": [
            {"sectionId": s.section_id, "chapters": [chapter(c.chapter_id) for c in s.chapters]}
            for s in (course.sections if course else ())
        ],
        "lastAccessedTimestamp": progress.last_accessed,
        "lastChapterId": progress.last_chapter_id,
        "completedAt": progress.completed_at,
    }
