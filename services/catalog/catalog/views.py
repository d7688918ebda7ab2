"""Course JSON as the frontend reads it (camelCase, prices in paise)."""

from __future__ import annotations

from typing import Any

from catalog.domain.model import Course
from catalog.outline import outline_document
from shared.readmodels.course_cards import card_fields


def course_json(course: Course, viewer_id: str | None) -> dict[str, Any]:
    """Chapter videos only for the owner (signed playback URLs arrive with media support)."""
    return {
        **card_fields(course.snapshot()),
        "sections": outline_document(course.sections, with_media=course.owned_by(viewer_id)),
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
