"""Enrollment's answers keep their wire shapes, field for field and in order, now that they are
the models of shared/api/learning.py."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pandas as pd

from enrollment import views
from enrollment.analytics import course_report
from enrollment.domain.model import REVOKED, Enrollment, Progress
from shared.api import internal, learning
from shared.api.learning import StreamUrl
from shared.events.contracts import CourseSnapshot, SectionOutline
from shared.tests.factories import CARD_WIRE_KEYS, chapter, course_snapshot, section

AT, LATER, DONE = "2026-11-25T10:00:00.000Z", "2026-11-26T09:00:00.000Z", "2026-11-27T08:00:00.000Z"


class Signer:
    def sign(self, key: str) -> str:
        return f"https://media.test/{key}?signed"


def course(image_key: str | None = "thumbs/c1.png", *sections: SectionOutline) -> CourseSnapshot:
    return course_snapshot(
        course_id="c1", image_key=image_key, sections=sections, created_at=AT, updated_at=LATER
    )


OUTLINE = (
    section("s1", chapter("a", title="Chapter a", free_preview=True), title="Basics"),
    section("s2", chapter("b", "Text"), chapter("c", "Quiz"), title="Deeper"),
    section("s3", title="Later"),
)
ENROLLMENT = Enrollment(user_id="u1", course_id="c1", order_id="o1", enrolled_at=AT)


def progress(chapters: dict[str, dict[str, Any]], **fields: Any) -> Progress:
    return Progress(user_id="u1", course_id="c1", chapters=chapters, **fields)


def test_an_enrolled_course_is_the_card_its_outline_and_its_progress() -> None:
    wire = views.enrolled_course(
        course("thumbs/c1.png", *OUTLINE), progress({"a": {"completed": True}}), Signer()
    ).wire()

    assert list(wire) == [*CARD_WIRE_KEYS, "sections", "overallProgress"]
    assert wire["image"] == "https://media.test/thumbs/c1.png?signed"
    assert (wire["createdAt"], wire["updatedAt"], wire["overallProgress"]) == (AT, LATER, 33)
    assert wire["sections"][0] == {
        "sectionId": "s1",
        "sectionTitle": "Basics",
        "chapters": [
            {"chapterId": "a", "type": "Video", "title": "Chapter a", "freePreview": True}
        ],
    }
    assert [c["chapterId"] for c in wire["sections"][1]["chapters"]] == ["b", "c"]
    assert wire["sections"][2] == {"sectionId": "s3", "sectionTitle": "Later", "chapters": []}


def test_an_enrolled_course_without_thumbnail_or_progress() -> None:
    wire = views.enrolled_course(course(None), None, Signer()).wire()

    assert (wire["image"], wire["sections"], wire["overallProgress"]) == (None, [], 0)


def test_progress_answers_a_chapter_s_position_and_percent_only_when_recorded() -> None:
    chapters = {
        "a": {
            "completed": True,
            "completedAt": LATER,
            "watchedPercent": 100,
            "positionSeconds": 30,
        },
        "b": {"watchedPercent": 42.5},
        "c": {"completed": False, "positionSeconds": 0, "watchedPercent": 0.0},
        "gone": {"completed": True},
    }
    wire = views.course_progress(
        ENROLLMENT,
        progress(chapters, last_accessed=LATER, last_chapter_id="b"),
        course("k", *OUTLINE),
    ).wire()

    assert list(wire) == [
        "userId",
        "courseId",
        "enrollmentDate",
        "overallProgress",
        "sections",
        "lastAccessedTimestamp",
        "lastChapterId",
        "completedAt",
    ]
    assert (wire["enrollmentDate"], wire["overallProgress"]) == (AT, 33)
    assert (wire["lastAccessedTimestamp"], wire["lastChapterId"], wire["completedAt"]) == (
        LATER,
        "b",
        None,
    )
    assert [list(s) for s in wire["sections"]] == [["sectionId", "chapters"]] * 3
    assert [c for s in wire["sections"] for c in s["chapters"]] == [
        {"chapterId": "a", "completed": True, "positionSeconds": 30, "watchedPercent": 100},
        {"chapterId": "b", "completed": False, "watchedPercent": 42.5},
        {"chapterId": "c", "completed": False, "positionSeconds": 0, "watchedPercent": 0.0},
    ]
    # a whole number stays an integer on the wire, a float a float
    assert '"positionSeconds":30,"watchedPercent":100}' in json.dumps(wire, separators=(",", ":"))


def test_progress_without_the_course_has_no_sections_and_nulls() -> None:
    wire = views.course_progress(ENROLLMENT, progress({}), None).wire()

    assert wire == {
        "userId": "u1",
        "courseId": "c1",
        "enrollmentDate": AT,
        "overallProgress": 0,
        "sections": [],
        "lastAccessedTimestamp": None,
        "lastChapterId": None,
        "completedAt": None,
    }


def test_a_completed_course_says_when() -> None:
    done = progress({"a": {"completed": True}}, last_accessed=DONE, completed_at=DONE)
    wire = views.course_progress(ENROLLMENT, done, course("k", OUTLINE[0])).wire()

    assert (wire["overallProgress"], wire["completedAt"]) == (100, DONE)


def test_a_stream_url_is_the_url_and_when_it_expires() -> None:
    wire = StreamUrl(url="https://media.test/videos/a.mp4?signed", expires_at=AT).wire()

    assert wire == {"url": "https://media.test/videos/a.mp4?signed", "expiresAt": AT}
    assert list(wire) == ["url", "expiresAt"]


def test_billing_s_standing_keeps_its_fields_and_reads_back_as_built() -> None:
    standing = views.standing(
        "u1",
        "c1",
        ENROLLMENT,
        progress({"a": {"completed": True}}),
        course("k", *OUTLINE),
        frozenset({"c", "a", "b"}),
    )
    assert json.dumps(standing.wire()) == json.dumps(
        {
            "userId": "u1",
            "courseId": "c1",
            "enrolled": True,
            "orderId": "o1",
            "overallProgress": 33,
            "issuedChapterIds": ["a", "b", "c"],
        }
    )
    assert internal.Standing.from_wire(standing.wire()) == standing


def test_a_standing_without_enrollment_or_progress_says_so_with_a_null_order() -> None:
    stranger = views.standing("u2", "c1", None, None, None, frozenset()).wire()
    assert stranger == {
        "userId": "u2",
        "courseId": "c1",
        "enrolled": False,
        "orderId": None,
        "overallProgress": 0,
        "issuedChapterIds": [],
    }
    refunded = replace(ENROLLMENT, status=REVOKED)
    wire = views.standing("u1", "c1", refunded, progress({}), None, frozenset({"b"})).wire()
    assert (wire["enrolled"], wire["orderId"], wire["issuedChapterIds"]) == (False, "o1", ["b"])


def test_analytics_keep_their_fields_in_order() -> None:
    enrollments = pd.DataFrame(
        [
            {"userId": "u1", "status": "ACTIVE", "enrolledAt": AT},
            {"userId": "u2", "status": "REVOKED", "enrolledAt": LATER},
        ]
    )
    progress_items = pd.DataFrame(
        [{"userId": "u1", "chapters": {"a": {"completed": True}}, "lastAccessedTimestamp": AT}]
    )
    wire = course_report(course("k", *OUTLINE), enrollments, progress_items).wire()

    assert list(wire) == [
        "courseId",
        "chapters",
        "enrollments",
        "enrollmentsOverTime",
        "averageProgress",
        "completionRate",
        "completedStudents",
        "chapterFunnel",
    ]
    assert wire["enrollments"] == {"total": 2, "active": 1, "revoked": 1}
    assert list(wire["enrollments"]) == ["total", "active", "revoked"]
    assert wire["enrollmentsOverTime"] == [
        {"date": "2026-11-25", "enrollments": 1, "cumulative": 1},
        {"date": "2026-11-26", "enrollments": 1, "cumulative": 2},
    ]
    assert (wire["averageProgress"], wire["completionRate"], wire["completedStudents"]) == (
        33.0,
        0.0,
        0,
    )
    assert wire["chapterFunnel"][0] == {
        "sectionId": "s1",
        "chapterId": "a",
        "title": "Chapter a",
        "type": "Video",
        "started": 1,
        "completed": 1,
        "completionRate": 100.0,
        "dropOff": 0,
        "dropOffRate": 0.0,
    }
    assert list(wire["chapterFunnel"][0]) == [
        "sectionId",
        "chapterId",
        "title",
        "type",
        "started",
        "completed",
        "completionRate",
        "dropOff",
        "dropOffRate",
    ]


def test_a_chapter_s_position_and_percent_are_documented_as_optional_numbers() -> None:
    schema = learning.SCHEMAS["ChapterProgress"]

    assert schema["required"] == ["chapterId", "completed"]
    assert schema["properties"]["positionSeconds"] == {
        "type": "number",
        "minimum": 0,
        "description": "Where to resume.",
    }
    assert schema["properties"]["watchedPercent"] == {
        "type": "number",
        "minimum": 0,
        "maximum": 100,
    }
