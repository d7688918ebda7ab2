"""A course as the API's `Course` model: answered with what the viewer may have, stored with all
of it (storage keys where a response has signed URLs)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from catalog.domain.model import Chapter, Course, Section
from shared.api import courses

ChapterField = Callable[[Chapter], str | None]
"""A chapter's `content` or `video` as one document shows it; None leaves the key out."""
CARD_FIELD_NAMES = tuple(courses.CourseCard.model_fields)
"""The card's fields, which a catalog `Course` has under the same names (`image` its key)."""
COUNTED_APART = "enrollmentCount"
"""What stored documents leave out: the course and card items count it apart, with `ADD`."""


def stored_content(chapter: Chapter) -> str | None:
    """What the table keeps in `content`: all of it."""
    return chapter.content


def stored_video(chapter: Chapter) -> str | None:
    """What the table keeps in `video`: the storage key itself."""
    return chapter.video


def withheld(_chapter: Chapter) -> None:
    """Neither content nor video: what every listing shows."""


def course_document(
    course: Course, image: str | None, content: ChapterField, video: ChapterField
) -> courses.Course:
    """The course with `image` as given (a signed URL, or the storage key), and each chapter's
    `content` and `video` where the given function has a value for it (the table keeps both, a
    response what the viewer may have: the content, a signed URL, or neither)."""
    return courses.Course.model_validate(
        {
            **{name: getattr(course, name) for name in CARD_FIELD_NAMES},
            "image": image,
            "sections": [
                {
                    "section_id": s.section_id,
                    "section_title": s.title,
                    "section_description": s.description,
                    "chapters": [
                        {
                            "chapter_id": c.chapter_id,
                            "type": c.type,
                            "title": c.title,
                            "content": content(c),
                            "free_preview": c.free_preview,
                            "video": video(c),
                        }
                        for c in s.chapters
                    ],
                }
                for s in course.sections
            ],
            "enrollment_count": course.enrollment_count,
        }
    )


def stored_document(course: Course, content: ChapterField, video: ChapterField) -> dict[str, Any]:
    """The document as the table keeps it: the thumbnail's storage key, no enrollment count."""
    document = course_document(course, course.image, content, video).wire()
    del document[COUNTED_APART]
    return document


def outline_from_document(document: list[dict[str, Any]]) -> tuple[Section, ...]:
    return tuple(
        Section(
            section_id=s["sectionId"],
            title=s.get("sectionTitle", ""),
            description=s.get("sectionDescription", ""),
            chapters=tuple(
                Chapter(
                    chapter_id=c["chapterId"],
                    type=c["type"],
                    title=c.get("title", ""),
                    content=c.get("content", ""),
                    video=c.get("video"),
                    free_preview=bool(c.get("freePreview", False)),
                )
                for c in s.get("chapters", [])
            ),
        )
        for s in document
    )
