"""Parse and validate a course update: whitelisted fields only, every problem named."""

from __future__ import annotations

import json
import uuid
from typing import Any

from catalog.domain.model import (
    CHAPTER_TYPES,
    LEVELS,
    PUBLISHED,
    STATUSES,
    UNCATEGORIZED,
    Chapter,
    Course,
    Section,
)
from shared.invalid import Invalid
from shared.web.ids import ID_PATTERN
from shared.web.json_provider import bounded_loads

EDITABLE = ("title", "description", "category", "price", "level", "status", "sections")
IGNORED = ("courseId", "teacherId", "teacherName", "image")
"""Read-only echoes the editor may send back (checked elsewhere) and the thumbnail (a file)."""
SECTION_FIELDS = ("sectionId", "sectionTitle", "sectionDescription", "chapters")
CHAPTER_FIELDS = ("chapterId", "type", "title", "content", "video", "freePreview", "comments")
MAX_PRICE = 50_000_000
MAX_OUTLINE_CHARS = 300_000
"""The outline lives inside the course item, and a DynamoDB item holds at most 400 KB."""
MAX_SECTIONS, MAX_CHAPTERS = 100, 500
MAX_CATEGORY_CHARS = 60


class CourseInvalid(Invalid):
    """The update names bad fields; details maps each to its problem."""


def _text(value: Any, name: str, errors: dict[str, str], max_len: int, required: bool) -> str:
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > max_len:
        errors[name] = f"must be {'a non-empty' if required else 'a'} string of at most {max_len}"
        return ""
    return value.strip()


def _price(value: Any, errors: dict[str, str]) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_PRICE:
        errors["price"] = f"must be a whole number of paise from 0 to {MAX_PRICE}"
        return 0
    return value


def _choice(value: Any, name: str, allowed: tuple[str, ...], errors: dict[str, str]) -> str:
    if value not in allowed:
        errors[name] = f"must be one of {', '.join(allowed)}"
        return allowed[0]
    return str(value)


def _unknown(
    item: dict[str, Any], allowed: tuple[str, ...], at: str, errors: dict[str, str]
) -> None:
    for name in item:
        if name not in allowed:
            errors[f"{at}{name}"] = "is not a field you can set"


def _new_id(value: Any, name: str, taken: set[str], errors: dict[str, str]) -> str:
    if value in (None, ""):
        return uuid.uuid4().hex
    if not isinstance(value, str) or not ID_PATTERN.match(value) or value in taken:
        errors[name] = "must be a unique id of letters, digits, '-' or '_'"
        return uuid.uuid4().hex
    return value


def _chapter(item: dict[str, Any], at: str, taken: set[str], errors: dict[str, str]) -> Chapter:
    _unknown(item, CHAPTER_FIELDS, f"{at}.", errors)
    chapter_id = _new_id(item.get("chapterId"), f"{at}.chapterId", taken, errors)
    taken.add(chapter_id)
    video = item.get("video") or None
    if video is not None and not isinstance(video, str):
        errors[f"{at}.video"] = "must be the videoUrl from get-upload-url"
        video = None
    free_preview = item.get("freePreview", False)
    if not isinstance(free_preview, bool):
        errors[f"{at}.freePreview"] = "must be true or false"
    return Chapter(
        chapter_id=chapter_id,
        type=_choice(item.get("type"), f"{at}.type", CHAPTER_TYPES, errors),
        title=_text(item.get("title", ""), f"{at}.title", errors, 200, False),
        content=_text(item.get("content") or "", f"{at}.content", errors, 50_000, False),
        video=video,
        free_preview=free_preview is True,
    )


def _section(item: dict[str, Any], at: str, taken: set[str], errors: dict[str, str]) -> Section:
    _unknown(item, SECTION_FIELDS, f"{at}.", errors)
    section_id = _new_id(item.get("sectionId"), f"{at}.sectionId", taken, errors)
    taken.add(section_id)
    raw_chapters = item.get("chapters", [])
    chapters: list[Chapter] = []
    if not isinstance(raw_chapters, list):
        errors[f"{at}.chapters"] = "must be an array"
    for c, chapter in enumerate(raw_chapters if isinstance(raw_chapters, list) else []):
        here = f"{at}.chapters[{c}]"
        if isinstance(chapter, dict):
            chapters.append(_chapter(chapter, here, taken, errors))
        else:
            errors[here] = "must be an object"
    return Section(
        section_id=section_id,
        title=_text(item.get("sectionTitle", ""), f"{at}.sectionTitle", errors, 200, False),
        description=_text(
            item.get("sectionDescription") or "", f"{at}.sectionDescription", errors, 2000, False
        ),
        chapters=tuple(chapters),
    )


def parse_sections(raw: Any, errors: dict[str, str]) -> tuple[Section, ...]:
    """The outline from an array or its JSON text; ids kept when valid, assigned when absent."""
    if isinstance(raw, str):
        if len(raw) > MAX_OUTLINE_CHARS:
            errors["sections"] = f"must be at most {MAX_OUTLINE_CHARS} characters of JSON"
            return ()
        try:
            raw = bounded_loads(raw)
        except ValueError:
            errors["sections"] = "must be a JSON array"
            return ()
    if not isinstance(raw, list):
        errors["sections"] = "must be an array"
        return ()
    if len(raw) > MAX_SECTIONS:
        errors["sections"] = f"must hold at most {MAX_SECTIONS} sections"
        return ()
    taken: set[str] = set()
    sections = []
    for i, item in enumerate(raw):
        if isinstance(item, dict):
            sections.append(_section(item, f"sections[{i}]", taken, errors))
        else:
            errors[f"sections[{i}]"] = "must be an object"
    if sum(len(s.chapters) for s in sections) > MAX_CHAPTERS:
        errors["sections"] = f"must hold at most {MAX_CHAPTERS} chapters in all"
    elif len(json.dumps(raw)) > MAX_OUTLINE_CHARS:
        errors["sections"] = f"must be at most {MAX_OUTLINE_CHARS} characters of JSON"
    return tuple(sections)


def parse_changes(body: dict[str, Any], course_id: str) -> dict[str, object]:
    """Only the editable fields, validated; an unknown field is an error, not ignored."""
    errors: dict[str, str] = {}
    changes: dict[str, object] = {}
    _unknown(body, EDITABLE + IGNORED, "", errors)
    if body.get("courseId") not in (None, course_id):
        errors["courseId"] = "cannot be changed"
    if "title" in body:
        changes["title"] = _text(body["title"], "title", errors, 200, True)
    if "description" in body:
        changes["description"] = _text(body["description"], "description", errors, 5000, False)
    if "category" in body:
        changes["category"] = _text(body["category"], "category", errors, MAX_CATEGORY_CHARS, True)
    if "price" in body:
        changes["price"] = _price(body["price"], errors)
    if "level" in body:
        changes["level"] = _choice(body["level"], "level", LEVELS, errors)
    if "status" in body:
        changes["status"] = _choice(body["status"], "status", STATUSES, errors)
    if "sections" in body:
        changes["sections"] = parse_sections(body["sections"], errors)
    if errors:
        raise CourseInvalid(errors)
    return changes


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
