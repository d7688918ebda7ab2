"""The rules a course save is held to beyond its fields' own: its ids, and publishing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from catalog.domain.model import PUBLISHED, UNCATEGORIZED, Course, Section
from shared.invalid import Invalid

NOT_UNIQUE = "must be unique among the course's sections and chapters"


class CourseInvalid(Invalid):
    """The update names bad fields; details maps each to its problem."""


@dataclass(frozen=True)
class CourseEdit:
    """What a save sets, each field already of its type and within its bounds; None leaves it as
    it is. A section or chapter id may be "" (a new one, named by the save)."""

    echoed_course_id: str | None = None
    """The course id the editor sent back, if any: it must be the saved course's."""
    title: str | None = None
    description: str | None = None
    category: str | None = None
    price: int | None = None
    level: str | None = None
    status: str | None = None
    sections: tuple[Section, ...] | None = None


def changes_of(edit: CourseEdit, course_id: str) -> dict[str, object]:
    """The revision `edit` makes to course `course_id`; CourseInvalid for an echoed id of another
    course, or an id two sections or chapters share. New sections and chapters get their ids."""
    errors: dict[str, str] = {}
    if edit.echoed_course_id not in (None, course_id):
        errors["courseId"] = "cannot be changed"
    fields = {
        "title": edit.title,
        "description": edit.description,
        "category": edit.category,
        "price": edit.price,
        "level": edit.level,
        "status": edit.status,
    }
    changes: dict[str, object] = {
        name: value for name, value in fields.items() if value is not None
    }
    if edit.sections is not None:
        changes["sections"] = _named(edit.sections, errors)
    if errors:
        raise CourseInvalid(errors)
    return changes


def _named(sections: tuple[Section, ...], errors: dict[str, str]) -> tuple[Section, ...]:
    """The outline with a fresh id for each new section and chapter; a repeated id is named in
    `errors` (sections and chapters share one namespace, in outline order)."""
    taken: set[str] = set()
    named = []
    for s, section in enumerate(sections):
        section_id = _kept_or_fresh(section.section_id, f"sections[{s}].sectionId", taken, errors)
        chapters = []
        for c, chapter in enumerate(section.chapters):
            at = f"sections[{s}].chapters[{c}].chapterId"
            chapter_id = _kept_or_fresh(chapter.chapter_id, at, taken, errors)
            chapters.append(replace(chapter, chapter_id=chapter_id))
        named.append(replace(section, section_id=section_id, chapters=tuple(chapters)))
    return tuple(named)


def _kept_or_fresh(given: str, at: str, taken: set[str], errors: dict[str, str]) -> str:
    """`given`, or a fresh id for a new one ("") or for one already taken (named in `errors`)."""
    if given in taken:
        errors[at] = NOT_UNIQUE
    kept = given if given and given not in taken else uuid.uuid4().hex
    taken.add(kept)
    return kept


def check_publishable(course: Course) -> None:
    """A published course needs a title, a real category, chapters, and every video uploaded."""
    if course.status != PUBLISHED:
        return
    errors: dict[str, str] = {}
    if not course.title.strip():
        errors["title"] = "is required to publish"
    if course.category == UNCATEGORIZED:
        errors["category"] = "pick a category other than Uncategorized to publish"
    if course.chapter_count == 0:
        errors["sections"] = "add at least one chapter to publish"
    for s, section in enumerate(course.sections):
        for c, chapter in enumerate(section.chapters):
            if chapter.type == "Video" and not chapter.video:
                errors[f"sections[{s}].chapters[{c}].video"] = "upload the video before publishing"
    if errors:
        raise CourseInvalid(errors)
