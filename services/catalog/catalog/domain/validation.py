"""Parse and validate a course update: whitelisted fields only, every problem named."""

from __future__ import annotations

import json
import re
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

EDITABLE = ("title", "description", "category", "price", "level", "status", "sections")
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class CourseInvalid(Exception):
    """The update names bad fields; details maps each to its problem."""

    def __init__(self, details: dict[str, str]) -> None:
        super().__init__("invalid course")
        self.details = details


def _text(value: Any, name: str, errors: dict[str, str], max_len: int, required: bool) -> str:
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > max_len:
        errors[name] = f"must be {'a non-empty' if required else 'a'} string of at most {max_len}"
        return ""
    return value.strip()


def _price(value: Any, errors: dict[str, str]) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        errors["price"] = "must be a whole number of paise, 0 or more"
        return 0
    return value


def _new_id(value: Any, name: str, taken: set[str], errors: dict[str, str]) -> str:
    if value in (None, ""):
        return uuid.uuid4().hex
    if not isinstance(value, str) or not _ID.match(value) or value in taken:
        errors[name] = "must be a unique id of letters, digits, '-' or '_'"
        return uuid.uuid4().hex
    return value


def _chapters(raw: Any, at: str, taken: set[str], errors: dict[str, str]) -> tuple[Chapter, ...]:
    if not isinstance(raw, list):
        errors[at] = "must be a list"
        return ()
    chapters = []
    for i, item in enumerate(raw):
        here = f"{at}[{i}]"
        if not isinstance(item, dict):
            errors[here] = "must be an object"
            continue
        chapter_id = _new_id(item.get("chapterId"), f"{here}.chapterId", taken, errors)
        taken.add(chapter_id)
        kind = item.get("type")
        if kind not in CHAPTER_TYPES:
            errors[f"{here}.type"] = f"must be one of {', '.join(CHAPTER_TYPES)}"
        video = item.get("video") or None
        if video is not None and not isinstance(video, str):
            errors[f"{here}.video"] = "must be a string"
            video = None
        chapters.append(
            Chapter(
                chapter_id=chapter_id,
                type=str(kind),
                title=_text(item.get("title", ""), f"{here}.title", errors, 200, False),
                content=_text(item.get("content") or "", f"{here}.content", errors, 50_000, False),
                video=video,
                free_preview=bool(item.get("freePreview", False)),
            )
        )
    return tuple(chapters)


def parse_sections(raw: Any, errors: dict[str, str]) -> tuple[Section, ...]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            errors["sections"] = "must be a JSON array"
            return ()
    if not isinstance(raw, list):
        errors["sections"] = "must be an array"
        return ()
    taken: set[str] = set()
    sections = []
    for i, item in enumerate(raw):
        at = f"sections[{i}]"
        if not isinstance(item, dict):
            errors[at] = "must be an object"
            continue
        section_id = _new_id(item.get("sectionId"), f"{at}.sectionId", taken, errors)
        taken.add(section_id)
        sections.append(
            Section(
                section_id=section_id,
                title=_text(item.get("sectionTitle", ""), f"{at}.sectionTitle", errors, 200, False),
                description=_text(
                    item.get("sectionDescription") or "",
                    f"{at}.sectionDescription",
                    errors,
                    2000,
                    False,
                ),
                chapters=_chapters(item.get("chapters", []), f"{at}.chapters", taken, errors),
            )
        )
    return tuple(sections)


def parse_changes(body: dict[str, Any]) -> dict[str, object]:
    """Only the editable fields, validated; anything else in the body is ignored."""
    errors: dict[str, str] = {}
    changes: dict[str, object] = {}
    if "title" in body:
        changes["title"] = _text(body["title"], "title", errors, 200, True)
    if "description" in body:
        changes["description"] = _text(body["description"], "description", errors, 5000, False)
    if "category" in body:
        changes["category"] = _text(body["category"], "category", errors, 60, True)
    if "price" in body:
        changes["price"] = _price(body["price"], errors)
    if "level" in body:
        if body["level"] not in LEVELS:
            errors["level"] = f"must be one of {', '.join(LEVELS)}"
        changes["level"] = body["level"]
    if "status" in body:
        if body["status"] not in STATUSES:
            errors["status"] = f"must be one of {', '.join(STATUSES)}"
        changes["status"] = body["status"]
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
