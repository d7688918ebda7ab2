"""Test factories for catalog's course snapshot and its outline, and the card's wire keys."""

from __future__ import annotations

from typing import Any

from shared.events.contracts import ChapterOutline, CourseSnapshot, SectionOutline

CARD_WIRE_KEYS = [
    "courseId",
    "teacherId",
    "teacherName",
    "title",
    "description",
    "category",
    "image",
    "price",
    "currency",
    "level",
    "status",
    "createdAt",
    "updatedAt",
]
"""What every Course JSON starts with, in this order (api.md's course card), spelled out here
rather than read from the model, so that a test of a view pins it."""

INSTANT = "2026-01-01T00:00:00.000Z"
"""When a snapshot is created and updated, unless a test says otherwise."""


def chapter(
    chapter_id: str,
    type: str = "Video",
    *,
    title: str | None = None,
    free_preview: bool = False,
    video_key: str | None = None,
) -> ChapterOutline:
    """A chapter of an outline, titled by its id unless `title` is given."""
    return ChapterOutline(
        chapter_id=chapter_id,
        title=chapter_id if title is None else title,
        type=type,
        free_preview=free_preview,
        video_key=video_key,
    )


def section(section_id: str, *chapters: ChapterOutline, title: str | None = None) -> SectionOutline:
    """A section of an outline holding these chapters, titled by its id unless `title` is given."""
    return SectionOutline(
        section_id=section_id, title=section_id if title is None else title, chapters=chapters
    )


def course_snapshot(**overrides: Any) -> CourseSnapshot:
    """A published course "c1" of teacher "t1" with no sections, but for the fields overridden.

    A name that is no field of CourseSnapshot is refused: the contract ignores unknown fields,
    so a misspelt override would otherwise be dropped without a word."""
    unknown = overrides.keys() - CourseSnapshot.model_fields.keys()
    if unknown:
        raise TypeError(f"CourseSnapshot has no field {', '.join(sorted(unknown))}")
    fields: dict[str, Any] = {
        "course_id": "c1",
        "version": 1,
        "teacher_id": "t1",
        "teacher_name": "T",
        "title": "Course",
        "description": "",
        "category": "Programming",
        "level": "Beginner",
        "image_key": None,
        "price": 49900,
        "currency": "INR",
        "status": "Published",
        "sections": (),
        "created_at": INSTANT,
        "updated_at": INSTANT,
    }
    return CourseSnapshot(**(fields | overrides))
