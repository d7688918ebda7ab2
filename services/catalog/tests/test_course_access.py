"""Who gets a chapter's content and video, what listings show, and what a course page records."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from catalog import bootstrap
from catalog.adapters.repository import to_item
from catalog.bootstrap import Catalog
from catalog.commands import ShowCourse
from catalog.domain.access import Access
from catalog.domain.model import Chapter, Course, Section, new_draft, revise
from catalog.views import shown_course
from shared.config import load_settings
from shared.dynamo.tables import ensure_table
from shared.readmodels.memberships import Membership
from shared.runtime import Runtime

AT = "2026-11-25T10:00:00.000Z"
TEACHER, STUDENT, STRANGER = "t1", "u1", "u2"


def video(chapter_id: str) -> str:
    return f"courses/c1/videos/s1/{chapter_id}/abc-lesson.mp4"


CHAPTERS = (
    Chapter("text", "Text", "Read me", content="the paid lesson"),
    Chapter("quiz", "Quiz", "Try me", content="Q: free? A: yes", free_preview=True),
    Chapter("v1", "Video", "Trailer", video=video("v1"), free_preview=True),
    Chapter("v2", "Video", "Part 1", content="notes", video=video("v2")),
    Chapter("v3", "Video", "Part 2", video=video("v3")),
)


@pytest.fixture
def catalog() -> Iterator[Catalog]:
    env = {**os.environ, "TABLE_PREFIX": f"t{uuid.uuid4().hex[:8]}-"}
    app = bootstrap.build(Runtime(load_settings("catalog", env)))
    ensure_table(app.runtime.dynamodb, app.runtime.table)
    yield app
    app.runtime.dynamodb.delete_table(TableName=app.runtime.table)


@pytest.fixture
def course(catalog: Catalog) -> Course:
    """A published course with a student enrolled (the membership catalog keeps from events)."""
    draft = new_draft(uuid.uuid4().hex, TEACHER, "Tina", AT)
    published = revise(
        draft,
        {
            "title": "Paid content",
            "category": "Programming",
            "status": "Published",
            "sections": (Section("s1", "All", chapters=CHAPTERS),),
        },
        AT,
    )
    uow = catalog.runtime.unit_of_work()
    catalog.courses.add(uow, published)
    catalog.students.record(uow, published.course_id, STUDENT, Membership(True, AT))
    uow.commit()
    return published


def chapters(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["chapterId"]: c for s in document["sections"] for c in s["chapters"]}


def shown(document: dict[str, Any], field: str) -> set[str]:
    return {i for i, c in chapters(document).items() if field in c}


def test_each_access_level_opens_its_chapters(catalog: Catalog, course: Course) -> None:
    outline = shown_course(course, catalog.media, Access.OUTLINE).wire()
    preview = shown_course(course, catalog.media, Access.PREVIEW).wire()
    full = shown_course(course, catalog.media, Access.FULL).wire()

    assert (shown(outline, "content"), shown(outline, "video")) == (set(), set())
    assert (shown(preview, "content"), shown(preview, "video")) == ({"quiz", "v1"}, {"v1"})
    assert shown(full, "content") == {c.chapter_id for c in CHAPTERS}
    assert shown(full, "video") == {"v1", "v2", "v3"}
    assert chapters(full)["text"]["content"] == "the paid lesson"
    assert chapters(full)["v1"]["content"] == "", "an empty lesson is still the lesson"
    for document in (outline, preview, full):
        assert set(document) == set(full), "every Course JSON field, whatever the access"
        assert {k for c in chapters(document).values() for k in c} >= {
            "chapterId", "type", "title", "freePreview"
        }  # fmt: skip


def test_stream_playback_leaves_every_video_out_but_keeps_the_content(
    catalog: Catalog, course: Course
) -> None:
    full = shown_course(course, catalog.media, Access.FULL, inline_videos=False).wire()
    assert shown(full, "video") == set()
    assert shown(full, "content") == {c.chapter_id for c in CHAPTERS}


def test_the_table_still_stores_every_content_and_video_key(course: Course) -> None:
    stored = chapters(to_item(course))
    assert stored["text"]["content"] == "the paid lesson"
    assert stored["v3"]["video"] == video("v3")
    assert shown(to_item(course), "content") == {c.chapter_id for c in CHAPTERS}


def test_paid_videos_are_the_videos_that_are_not_free_previews(course: Course) -> None:
    assert course.paid_videos == {"v2", "v3"}
    assert Access.PREVIEW.videos(course) == {"v1"}
    assert Access.OUTLINE.videos(course) == set()


def test_a_course_page_records_the_paid_videos_it_hands_an_enrolled_student(
    catalog: Catalog, course: Course
) -> None:
    course_id = course.course_id
    _, access = catalog.show_course(ShowCourse(course_id, STUDENT, inline_videos=True))
    assert access is Access.FULL
    assert catalog.issued_playback.chapters(course_id, STUDENT) == {"v2", "v3"}


@pytest.mark.parametrize(
    ("viewer", "inline_videos", "access"),
    [
        (TEACHER, True, Access.FULL),
        (STUDENT, False, Access.FULL),
        (STRANGER, True, Access.PREVIEW),
        (None, True, Access.PREVIEW),
    ],
    ids=["owner", "student_streaming", "signed_in_stranger", "anonymous"],
)
def test_nothing_is_recorded_when_no_paid_video_goes_to_a_student(
    catalog: Catalog, course: Course, viewer: str | None, inline_videos: bool, access: Access
) -> None:
    _, got = catalog.show_course(ShowCourse(course.course_id, viewer, inline_videos))
    assert got is access
    for user in (TEACHER, STUDENT, STRANGER):
        assert catalog.issued_playback.chapters(course.course_id, user) == set()


def test_a_revoked_student_is_back_to_the_previews(catalog: Catalog, course: Course) -> None:
    uow = catalog.runtime.unit_of_work()
    later = "2026-11-26T10:00:00.000Z"
    catalog.students.record(uow, course.course_id, STUDENT, Membership(False, later))
    uow.commit()
    _, access = catalog.show_course(ShowCourse(course.course_id, STUDENT))
    assert access is Access.PREVIEW


def test_recorded_chapters_only_accumulate(catalog: Catalog) -> None:
    catalog.issued_playback.record("c9", STUDENT, ["a"])
    catalog.issued_playback.record("c9", STUDENT, ["b", "a"])
    catalog.issued_playback.record("c9", STUDENT, [])
    assert catalog.issued_playback.chapters("c9", STUDENT) == {"a", "b"}
    assert catalog.issued_playback.chapters("c9", STRANGER) == set()
