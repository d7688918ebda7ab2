"""Course JSON as the frontend reads it (camelCase, prices in paise)."""

from __future__ import annotations

from typing import Any

from catalog.domain.model import Course


def course_json(course: Course, viewer_id: str | None) -> dict[str, Any]:
    """Chapter videos only for the owner (signed playback URLs arrive with media support)."""
    show_media = course.owned_by(viewer_id)
    return {
        "courseId": course.course_id,
        "teacherId": course.teacher_id,
        "teacherName": course.teacher_name,
        "title": course.title,
        "description": course.description,
        "category": course.category,
        "image": course.image,
        "price": course.price,
        "currency": course.currency,
        "level": course.level,
        "status": course.status,
        "sections": [
            {
                "sectionId": s.section_id,
                "sectionTitle": s.title,
                "sectionDescription": s.description,
                "chapters": [
                    {
                        "chapterId": c.chapter_id,
                        "type": c.type,
                        "title": c.title,
                        "content": c.content,
                        "freePreview": c.free_preview,
                        **({"video": c.video} if show_media and c.video else {}),
                    }
                    for c in s.chapters
                ],
            }
            for s in course.sections
        ],
        "enrollmentCount": course.enrollment_count,
        "createdAt": course.created_at,
        "updatedAt": course.updated_at,
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
