"""Teacher analytics on a hand-computed course: every report number, and the CSV agrees."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pandas as pd

from enrollment.analytics import course_report, progress_csv
from shared.tests.factories import chapter, course_snapshot, section

COURSE = course_snapshot(
    course_id="course-1",
    sections=(
        section("s1", chapter("c1", title="Intro"), chapter("c2", "Text", title="Setup")),
        section("s2", chapter("c3", title="Loops"), chapter("c4", "Quiz", title="Check")),
    ),
)

# Five enrollments over three UTC days; dan is REVOKED; cat and dan enrolled at the same instant.
ENROLLMENTS = pd.DataFrame(
    [
        {"userId": "zoe", "status": "ACTIVE", "enrolledAt": "2024-03-01T08:00:00Z"},
        {"userId": "ana", "status": "ACTIVE", "enrolledAt": "2024-03-01T23:30:00Z"},
        {"userId": "dan", "status": "REVOKED", "enrolledAt": "2024-03-02T10:00:00Z"},
        {"userId": "cat", "status": "ACTIVE", "enrolledAt": "2024-03-02T10:00:00Z"},
        {"userId": "eve", "status": "ACTIVE", "enrolledAt": "2024-03-04T12:00:00.250Z"},
    ]
)

DONE = {"completed": True}


def progress_item(user_id: str, chapters: dict[str, Any], last: str) -> dict[str, Any]:
    """A progress item as dynamo-pandas returns it, keys and all."""
    return {
        "PK": f"USER#{user_id}",
        "SK": "COURSE#course-1#PROGRESS",
        "userId": user_id,
        "courseId": "course-1",
        "chapters": chapters,
        "lastAccessedTimestamp": last,
        "version": 2,
    }


# eve (ACTIVE) has no progress item at all.
PROGRESS = pd.DataFrame(
    [
        # every current chapter, plus a stale one that must not count
        progress_item(
            "zoe",
            {"c1": DONE, "c2": DONE, "c3": DONE, "c4": DONE, "old": DONE},
            "2024-03-05T09:00:00Z",
        ),
        # c1 done, c2 half watched, c3 position only, a stale completed chapter
        progress_item(
            "ana",
            {
                "c1": DONE,
                "c2": {"completed": False, "watchedPercent": 50},
                "c3": {"completed": False, "positionSeconds": 30},
                "gone": DONE,
            },
            "2024-03-06T09:00:00Z",
        ),
        # revoked: must not move any progress number of the report
        progress_item("dan", {"c1": DONE, "c2": DONE, "c3": DONE}, "2024-03-03T09:00:00Z"),
        # c2 opened but nothing watched (not started), c3 position only, c4 partly watched
        progress_item(
            "cat",
            {
                "c1": {"completed": True, "watchedPercent": 100},
                "c2": {"completed": False, "watchedPercent": 0, "positionSeconds": 0},
                "c3": {"completed": False, "positionSeconds": 45},
                "c4": {"completed": False, "watchedPercent": 12.5},
            },
            "2024-03-07T09:00:00Z",
        ),
    ]
)

# By hand (4 current chapters; active: zoe, ana, cat, eve; revoked: dan):
#   overallProgress: zoe 4/4 = 100, ana 1/4 = 25 (stale "gone" ignored), cat 1/4 = 25, eve 0
#                    (dan 3/4 = 75, listed in the CSV only)
#   averageProgress = (100 + 25 + 25 + 0) / 4 = 37.5
#   completedStudents = 1 (zoe; her stale "old" does not matter) -> completionRate 100*1/4 = 25.0
#   c1: started zoe, ana, cat = 3; completed 3 -> 100*3/4 = 75.0; dropOff 0 -> 0.0
#   c2: started zoe, ana (50 %) = 2 (cat's 0 % / 0 s is not a start); completed zoe = 1
#       -> 25.0; dropOff 1 -> 100*1/2 = 50.0
#   c3: started zoe, ana (30 s), cat (45 s) = 3; completed zoe = 1 -> 25.0; dropOff 2
#       -> 100*2/3 = 66.7
#   c4: started zoe, cat (12.5 %) = 2; completed zoe = 1 -> 25.0; dropOff 1 -> 50.0
#   per UTC day: 03-01 zoe, ana (23:30Z) = 2 -> 2; 03-02 dan, cat = 2 -> 4; 03-04 eve = 1 -> 5
EXPECTED_REPORT = {
    "courseId": "course-1",
    "chapters": 4,
    "enrollments": {"total": 5, "active": 4, "revoked": 1},
    "enrollmentsOverTime": [
        {"date": "2024-03-01", "enrollments": 2, "cumulative": 2},
        {"date": "2024-03-02", "enrollments": 2, "cumulative": 4},
        {"date": "2024-03-04", "enrollments": 1, "cumulative": 5},
    ],
    "averageProgress": 37.5,
    "completionRate": 25.0,
    "completedStudents": 1,
    "chapterFunnel": [
        {
            "sectionId": "s1",
            "chapterId": "c1",
            "title": "Intro",
            "type": "Video",
            "started": 3,
            "completed": 3,
            "completionRate": 75.0,
            "dropOff": 0,
            "dropOffRate": 0.0,
        },
        {
            "sectionId": "s1",
            "chapterId": "c2",
            "title": "Setup",
            "type": "Text",
            "started": 2,
            "completed": 1,
            "completionRate": 25.0,
            "dropOff": 1,
            "dropOffRate": 50.0,
        },
        {
            "sectionId": "s2",
            "chapterId": "c3",
            "title": "Loops",
            "type": "Video",
            "started": 3,
            "completed": 1,
            "completionRate": 25.0,
            "dropOff": 2,
            "dropOffRate": 66.7,
        },
        {
            "sectionId": "s2",
            "chapterId": "c4",
            "title": "Check",
            "type": "Quiz",
            "started": 2,
            "completed": 1,
            "completionRate": 25.0,
            "dropOff": 1,
            "dropOffRate": 50.0,
        },
    ],
}


def plain_types(value: Any) -> set[type]:
    if isinstance(value, dict):
        return {dict}.union(*(plain_types(v) for v in value.values()))
    if isinstance(value, list):
        return {list}.union(*(plain_types(v) for v in value))
    return {type(value)}


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_report_matches_the_numbers_computed_by_hand() -> None:
    assert course_report(COURSE, ENROLLMENTS, PROGRESS).wire() == EXPECTED_REPORT


def test_report_holds_plain_json_types_only() -> None:
    report = course_report(COURSE, ENROLLMENTS, PROGRESS).wire()

    assert plain_types(report) <= {dict, list, str, int, float}
    assert json.loads(json.dumps(report)) == report


def test_csv_lists_every_enrollment_by_date_then_user() -> None:
    text = progress_csv(COURSE, ENROLLMENTS, PROGRESS)
    rows = csv_rows(text)

    assert text.splitlines()[0] == (
        "userId,status,enrollmentDate,overallProgress,chaptersCompleted,chaptersTotal,"
        "courseCompleted,lastAccessedTimestamp,"
        "c1.completed,c1.watchedPercent,c1.positionSeconds,"
        "c2.completed,c2.watchedPercent,c2.positionSeconds,"
        "c3.completed,c3.watchedPercent,c3.positionSeconds,"
        "c4.completed,c4.watchedPercent,c4.positionSeconds"
    )
    assert [r["userId"] for r in rows] == ["zoe", "ana", "cat", "dan", "eve"]
    dan = rows[3]
    assert (dan["status"], dan["overallProgress"], dan["chaptersCompleted"]) == (
        "REVOKED",
        "75",
        "3",
    )
    assert (dan["courseCompleted"], rows[0]["courseCompleted"]) == ("false", "true")
    assert (rows[1]["c2.watchedPercent"], rows[2]["c4.watchedPercent"]) == ("50", "12.5")
    assert (rows[1]["c1.watchedPercent"], rows[4]["lastAccessedTimestamp"]) == ("", "")
    assert rows[4]["enrollmentDate"] == "2024-03-04T12:00:00.250Z"
    assert {r["chaptersTotal"] for r in rows} == {"4"}


def test_csv_recomputes_the_report() -> None:
    report = course_report(COURSE, ENROLLMENTS, PROGRESS).wire()
    active = [
        r for r in csv_rows(progress_csv(COURSE, ENROLLMENTS, PROGRESS)) if r["status"] == "ACTIVE"
    ]

    def started(row: dict[str, str], chapter_id: str) -> bool:
        return (
            row[f"{chapter_id}.completed"] == "1"
            or float(row[f"{chapter_id}.watchedPercent"] or 0) > 0
            or float(row[f"{chapter_id}.positionSeconds"] or 0) > 0
        )

    completed = sum(r["courseCompleted"] == "true" for r in active)
    assert (
        round(sum(int(r["overallProgress"]) for r in active) / len(active), 1)
        == report["averageProgress"]
    )
    assert round(100 * completed / len(active), 1) == report["completionRate"]
    for funnel in report["chapterFunnel"]:
        chapter_id = funnel["chapterId"]
        assert sum(r[f"{chapter_id}.completed"] == "1" for r in active) == funnel["completed"]
        assert sum(started(r, chapter_id) for r in active) == funnel["started"]


def test_course_without_chapters_counts_enrollments_only() -> None:
    empty = course_snapshot(course_id="course-1")
    report = course_report(empty, ENROLLMENTS, PROGRESS).wire()

    assert (report["chapters"], report["chapterFunnel"]) == (0, [])
    assert (report["averageProgress"], report["completionRate"], report["completedStudents"]) == (
        0.0,
        0.0,
        0,
    )
    assert report["enrollments"] == {"total": 5, "active": 4, "revoked": 1}
    assert {r["overallProgress"] for r in csv_rows(progress_csv(empty, ENROLLMENTS, PROGRESS))} == {
        "0"
    }


def test_course_without_enrollments_is_all_zeros() -> None:
    enrollments = pd.DataFrame(columns=["userId", "status", "enrolledAt"])
    progress = pd.DataFrame(columns=["userId", "chapters", "lastAccessedTimestamp"])

    report = course_report(COURSE, enrollments, progress).wire()

    assert report["enrollments"] == {"total": 0, "active": 0, "revoked": 0}
    assert (report["enrollmentsOverTime"], report["averageProgress"], report["completionRate"]) == (
        [],
        0.0,
        0.0,
    )
    assert [(f["started"], f["completed"], f["dropOffRate"]) for f in report["chapterFunnel"]] == [
        (0, 0, 0.0)
    ] * 4
    assert csv_rows(progress_csv(COURSE, enrollments, progress)) == []
