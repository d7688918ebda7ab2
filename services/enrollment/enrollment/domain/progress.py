"""A progress report from the player, checked against the course and applied by the rules."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from enrollment.domain.model import Progress
from shared.events.contracts import CourseSnapshot

MAX_POSITION_SECONDS = 24 * 3600
MAX_NEWLY_COMPLETED = 90
"""Each completion is an event in the save's transaction, which holds at most 100 items."""


class ProgressInvalid(Exception):
    """The report names bad fields; details maps each to its problem."""

    def __init__(self, details: dict[str, str]) -> None:
        super().__init__("invalid progress")
        self.details = details


@dataclass(frozen=True)
class ChapterReport:
    """What the player says about one chapter; None means not reported."""

    chapter_id: str
    completed: bool | None = None
    watched_percent: float | None = None
    position_seconds: float | None = None


@dataclass(frozen=True)
class Outcome:
    progress: Progress
    newly_completed: tuple[str, ...]
    course_completed: bool


def _number(value: Any, at: str, low: float, high: float, errors: dict[str, str]) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        errors[at] = f"must be a number from {low:g} to {high:g}"
        return None
    return float(value)


def _chapter(
    raw: Any, at: str, allowed: frozenset[str], errors: dict[str, str]
) -> ChapterReport | None:
    if not isinstance(raw, dict):
        errors[at] = "must be an object"
        return None
    chapter_id = raw.get("chapterId")
    if not isinstance(chapter_id, str) or chapter_id not in allowed:
        errors[f"{at}.chapterId"] = "is not a chapter of this section"
        return None
    completed = raw.get("completed")
    if completed is not None and not isinstance(completed, bool):
        errors[f"{at}.completed"] = "must be true or false"
    return ChapterReport(
        chapter_id=str(chapter_id),
        completed=completed if isinstance(completed, bool) else None,
        watched_percent=_number(raw.get("watchedPercent"), f"{at}.watchedPercent", 0, 100, errors),
        position_seconds=_number(
            raw.get("positionSeconds"), f"{at}.positionSeconds", 0, MAX_POSITION_SECONDS, errors
        ),
    )


def parse_report(body: dict[str, Any], course: CourseSnapshot) -> list[ChapterReport]:
    """The chapters a PUT reports on; ids must be the course's current ones. Fields the frontend
    may send beside `sections` are ignored: they cannot change anything."""
    errors: dict[str, str] = {}
    raw_sections = body.get("sections", [])
    if not isinstance(raw_sections, list):
        raise ProgressInvalid({"sections": "must be an array"})
    outline = {s.section_id: frozenset(c.chapter_id for c in s.chapters) for s in course.sections}
    reports: list[ChapterReport] = []
    for i, section in enumerate(raw_sections):
        at = f"sections[{i}]"
        if not isinstance(section, dict):
            errors[at] = "must be an object"
            continue
        section_id = section.get("sectionId")
        allowed = outline.get(section_id) if isinstance(section_id, str) else None
        if allowed is None:
            errors[f"{at}.sectionId"] = "is not a section of this course"
            continue
        chapters = section.get("chapters", [])
        if not isinstance(chapters, list):
            errors[f"{at}.chapters"] = "must be an array"
            continue
        for j, raw in enumerate(chapters):
            report = _chapter(raw, f"{at}.chapters[{j}]", allowed, errors)
            if report is not None:
                reports.append(report)
    if errors:
        raise ProgressInvalid(errors)
    return reports


def apply_report(
    progress: Progress,
    reports: list[ChapterReport],
    course: CourseSnapshot,
    threshold: float,
    now: str,
) -> Outcome:
    """The rules: with `watchedPercent` the server decides (complete at >= threshold, never
    below); a bare `completed: true` completes; nothing ever un-completes or lowers the
    highest watched percent; the resume position is the latest one reported."""
    chapters = {k: dict(v) for k, v in progress.chapters.items()}
    newly: list[str] = []
    for report in reports:
        state = chapters.setdefault(report.chapter_id, {})
        if report.watched_percent is not None:
            state["watchedPercent"] = max(
                float(state.get("watchedPercent", 0)), report.watched_percent
            )
            reached = state["watchedPercent"] >= threshold
        else:
            reached = report.completed is True
        if report.position_seconds is not None:
            state["positionSeconds"] = report.position_seconds
        if reached and not state.get("completed"):
            state["completed"] = True
            state["completedAt"] = now
            newly.append(report.chapter_id)
    if len(newly) > MAX_NEWLY_COMPLETED:
        raise ProgressInvalid(
            {"sections": f"complete at most {MAX_NEWLY_COMPLETED} chapters in one report"}
        )
    updated = replace(
        progress,
        chapters=chapters,
        last_accessed=now,
        last_chapter_id=reports[-1].chapter_id if reports else progress.last_chapter_id,
    )
    course_completed = progress.completed_at is None and updated.finished(course)
    if course_completed:
        updated = replace(updated, completed_at=now)
    return Outcome(updated, tuple(newly), course_completed)
