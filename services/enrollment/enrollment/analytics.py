"""A teacher's view of one course: enrollments, progress and the chapter funnel, with pandas."""

from __future__ import annotations

from typing import Any, cast

import pandas as pd

from enrollment.domain.model import ACTIVE
from shared.api import learning
from shared.events.contracts import CourseSnapshot

ENROLLMENT_COLUMNS = ["userId", "status", "enrolledAt"]
PROGRESS_COLUMNS = ["userId", "chapters", "lastAccessedTimestamp"]
CHAPTER_FIELDS = ["completed", "watchedPercent", "positionSeconds"]
CSV_STUDENT_COLUMNS = [
    "status",
    "enrollmentDate",
    "overallProgress",
    "chaptersCompleted",
    "chaptersTotal",
    "courseCompleted",
    "lastAccessedTimestamp",
]


def _percent(part: float, whole: float) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _mean(numbers: pd.Series) -> float:
    return round(float(numbers.mean()), 1) if len(numbers) else 0.0


def _outline(course: CourseSnapshot) -> pd.DataFrame:
    """One row per current chapter, in outline order."""
    rows = [
        (s.section_id, c.chapter_id, c.title, c.type) for s in course.sections for c in s.chapters
    ]
    return pd.DataFrame(rows, columns=["section_id", "chapter_id", "title", "type"])


def _as_map(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _chapter_states(
    students: pd.Index, chapter_ids: list[str], progress: pd.DataFrame
) -> pd.DataFrame:
    """Student by current chapter: the record's fields and whether it was started. Chapters no
    longer in the course are dropped; a missing record (or progress item) is not started."""
    wide = pd.DataFrame(
        progress["chapters"].map(_as_map).tolist(), index=pd.Index(progress["userId"])
    ).reindex(index=students, columns=chapter_ids)
    # one row per (student, chapter) that has a record; single-level columns stack to a Series
    records = cast(pd.Series, wide.stack(future_stack=True)).dropna()
    grid = pd.MultiIndex.from_product([students, chapter_ids], names=["userId", "chapterId"])
    states = pd.DataFrame(records.tolist(), index=records.index).reindex(
        index=grid, columns=CHAPTER_FIELDS
    )
    states = states.assign(
        completed=states["completed"].eq(True),
        watchedPercent=pd.to_numeric(states["watchedPercent"], errors="coerce"),
        positionSeconds=pd.to_numeric(states["positionSeconds"], errors="coerce"),
    )
    return states.assign(
        started=states["completed"]
        | states["watchedPercent"].gt(0)
        | states["positionSeconds"].gt(0)
    )


def _students(
    chapter_ids: list[str], enrollments: pd.DataFrame, progress: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every enrollment (by enrolledAt, then userId) with its progress numbers, and the
    student-by-chapter states behind them."""
    progress = progress.reindex(columns=PROGRESS_COLUMNS).drop_duplicates("userId", keep="last")
    students = (
        enrollments.reindex(columns=ENROLLMENT_COLUMNS)
        .assign(enrolled=lambda f: pd.to_datetime(f["enrolledAt"], utc=True, format="ISO8601"))
        .sort_values(["enrolled", "userId"])
        .set_index("userId")
    )
    states = _chapter_states(students.index, chapter_ids, progress)
    total = len(chapter_ids)
    done = states["completed"].groupby(level="userId").sum().reindex(students.index, fill_value=0)
    students = students.assign(
        active=students["status"].eq(ACTIVE),
        chaptersCompleted=done.astype(int),
        # with no chapters `done` is 0 everywhere, so the max() only avoids a division by zero
        overallProgress=(100 * done / max(total, 1)).round().astype(int),
        courseCompleted=done.eq(total) & (total > 0),
        lastAccessedTimestamp=progress.set_index("userId")["lastAccessedTimestamp"],
    )
    return students, states


def _per_day(enrolled: pd.Series) -> list[learning.EnrollmentDay]:
    """Enrollments per UTC day that had any, oldest first, with the running total."""
    daily = enrolled.dt.strftime("%Y-%m-%d").value_counts().sort_index()
    frame = pd.DataFrame(
        {
            "date": daily.index.to_numpy(),
            "enrollments": daily.to_numpy(),
            "cumulative": daily.cumsum().to_numpy(),
        }
    )
    return [learning.EnrollmentDay.model_validate(row) for row in frame.to_dict("records")]


def _funnel(
    outline: pd.DataFrame, states: pd.DataFrame, active: pd.Index
) -> list[learning.ChapterFunnelStep]:
    """Per chapter in outline order: active students who started it and who completed it."""
    of_active = states[states.index.get_level_values("userId").isin(active)]
    counts = (
        of_active.groupby(level="chapterId")[["started", "completed"]]
        .sum()
        .reindex(outline["chapter_id"], fill_value=0)
    )
    rows = outline.assign(
        started=counts["started"].to_numpy(), completed=counts["completed"].to_numpy()
    )
    return [
        learning.ChapterFunnelStep.model_validate(
            {
                **row,
                "completion_rate": _percent(row["completed"], len(active)),
                "drop_off": row["started"] - row["completed"],
                "drop_off_rate": _percent(row["started"] - row["completed"], row["started"]),
            }
        )
        for row in rows.to_dict("records")
    ]


def course_report(
    course: CourseSnapshot, enrollments: pd.DataFrame, progress: pd.DataFrame
) -> learning.CourseAnalytics:
    """Enrollment counts and days, then progress of active students and the chapter funnel."""
    outline = _outline(course)
    students, states = _students(outline["chapter_id"].tolist(), enrollments, progress)
    active = students[students["active"]]
    completed_students = int(active["courseCompleted"].sum())
    return learning.CourseAnalytics(
        course_id=course.course_id,
        chapters=len(outline),
        enrollments=learning.EnrollmentCounts(
            total=len(students), active=len(active), revoked=len(students) - len(active)
        ),
        enrollments_over_time=_per_day(students["enrolled"]),
        average_progress=_mean(active["overallProgress"]),
        completion_rate=_percent(completed_students, len(active)),
        completed_students=completed_students,
        chapter_funnel=_funnel(outline, states, active.index),
    )


def progress_csv(course: CourseSnapshot, enrollments: pd.DataFrame, progress: pd.DataFrame) -> str:
    """One row per enrollment (active and revoked) with its progress, then per chapter in
    outline order `<chapterId>.completed` (1/0), `.watchedPercent` and `.positionSeconds` (empty
    when unknown) — enough to recount who started a chapter."""
    chapter_ids = _outline(course)["chapter_id"].tolist()
    students, states = _students(chapter_ids, enrollments, progress)
    per_chapter = (
        states.astype({"completed": int})
        .reset_index()
        .pivot(index="userId", columns="chapterId", values=CHAPTER_FIELDS)
        .swaplevel(axis=1)
        .reindex(
            index=students.index,
            columns=pd.MultiIndex.from_product([chapter_ids, CHAPTER_FIELDS]),
        )
    )
    per_chapter.columns = pd.Index([f"{c}.{f}" for c in chapter_ids for f in CHAPTER_FIELDS])
    summary = students.rename(columns={"enrolledAt": "enrollmentDate"}).assign(
        chaptersTotal=len(chapter_ids),
        courseCompleted=students["courseCompleted"].map({True: "true", False: "false"}),
    )[CSV_STUDENT_COLUMNS]
    table = pd.concat([summary, per_chapter], axis=1).reset_index()
    return table.to_csv(index=False, lineterminator="\n", float_format="%.15g")
