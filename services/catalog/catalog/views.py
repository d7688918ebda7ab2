"""Course JSON as the frontend reads it (camelCase, prices in paise, media as signed URLs)."""

from __future__ import annotations

import enum
from typing import Any

from catalog.course_media import CourseMedia
from catalog.domain.model import Chapter, Course
from catalog.outline import outline_document
from shared.readmodels.course_cards import card_fields


class Videos(enum.Enum):
    """Which chapters' videos a response may carry."""

    NONE = "none"
    """A catalog card: nobody plays a video from a listing."""
    PREVIEW = "preview"
    """Free-preview chapters only: anyone looking at a published course."""
    ALL = "all"
    """Every chapter: the course's teacher and its enrolled students."""


def course_json(course: Course, media: CourseMedia, videos: Videos) -> dict[str, Any]:
    """The Course JSON; the thumbnail and permitted videos become short-lived signed URLs."""

    def video(chapter: Chapter) -> str | None:
        allowed = videos is Videos.ALL or (videos is Videos.PREVIEW and chapter.free_preview)
        return media.playback_url(chapter.video) if allowed and chapter.video else None

    return {
        **card_fields(course.snapshot()),
        "image": media.playback_url(course.image) if course.image else None,
        "sections": outline_document(course.sections, video),
        "enrollmentCount": course.enrollment_count,
    }


def price_json(course: Course) -> dict[str, Any]:
    """What billing needs to charge for a course, straight from the source of truth."""
    return {
        "courseId": course.course_id,
        "title": course.title,
        "teacherId": course.teacher_id,
        "status": course.status,
        "price": course.price,
        "currency": course.currency,
    }
