"""What enrollment is asked to do, one frozen dataclass each; its events are commands too."""

from __future__ import annotations

from dataclasses import dataclass

from enrollment.domain.progress import SectionReport


@dataclass(frozen=True)
class ReportProgress:
    """A student's player reports how far they got in some chapters of a course."""

    user_id: str
    course_id: str
    sections: tuple[SectionReport, ...]


@dataclass(frozen=True)
class ShowProgress:
    """A student asks for their progress in a course they are enrolled in."""

    user_id: str
    course_id: str


@dataclass(frozen=True)
class StreamChapter:
    """Someone (signed in or not) asks for a chapter's video."""

    course_id: str
    chapter_id: str
    viewer_id: str | None


@dataclass(frozen=True)
class ShowCourseAnalytics:
    """A teacher asks how the students of one of their courses are doing."""

    teacher_id: str
    course_id: str
