"""A progress report from the player, checked against the course and applied by the rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from enrollment.domain.model import Progress
from shared.events.contracts import CourseSnapshot
from shared.invalid import Invalid

MAX_NEWLY_COMPLETED = 90
"""Each completion is an event in the save's transaction, which holds at most 100 items."""


class ProgressInvalid(Invalid):
    """The report names bad fields; details maps each to its problem."""


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


@dataclass(frozen=True)
class SectionReport:
    """The chapters reported in one section."""

    section_id: str
    chapters: tuple[ChapterReport, ...]


def known_chapters(
    sections: Sequence[SectionReport], course: CourseSnapshot
) -> list[ChapterReport]:
    """The reported chapters, each one of the course's current ones; ProgressInvalid names every
    section or chapter id the course does not have (a section's chapters are checked only when
    the section is the course's)."""
    outline = {s.section_id: frozenset(c.chapter_id for c in s.chapters) for s in course.sections}
    errors: dict[str, str] = {}
    reports: list[ChapterReport] = []
    for i, section in enumerate(sections):
        allowed = outline.get(section.section_id)
        if allowed is None:
            errors[f"sections[{i}].sectionId"] = "is not a section of this course"
            continue
        for j, chapter in enumerate(section.chapters):
            if chapter.chapter_id in allowed:
                reports.append(chapter)
            else:
                errors[f"sections[{i}].chapters[{j}].chapterId"] = (
                    "is not a chapter of this section"
                )
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
