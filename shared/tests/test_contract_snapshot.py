"""The committed schema snapshot of the event contracts holds, and its checker finds what breaks.

Refresh the snapshot after a compatible change: `.venv/bin/python -m shared.events.snapshot --write`.
"""

from __future__ import annotations

from typing import Any

from pydantic import create_model

from shared.events.contracts import Contract
from shared.events.snapshot import (
    REFRESH,
    breaking_changes,
    committed_schemas,
    current_schemas,
    schema_breaks,
)

CHAPTER: dict[str, Any] = {
    "chapter_id": (str, ...),
    "title": (str, ...),
    "video_key": (str | None, ...),
}
COURSE: dict[str, Any] = {"course_id": (str, ...), "version": (int, ...)}


def course_event_schema(
    chapter: dict[str, Any] = CHAPTER, course: dict[str, Any] = COURSE
) -> dict[str, Any]:
    """The JSON schema of a synthetic course event shaped like the real ones: course, sections,
    chapters, each its own model; `chapter` and `course` give their fields."""
    chapter_model = create_model("Chapter", __base__=Contract, **chapter)
    section_model = create_model(
        "Section", __base__=Contract, chapters=(tuple[chapter_model, ...], ...)
    )
    course_model = create_model(
        "Course", __base__=Contract, sections=(tuple[section_model, ...], ...), **course
    )
    return create_model(
        "CourseChanged", __base__=Contract, course=(course_model, ...)
    ).model_json_schema()


BEFORE = course_event_schema()


def test_no_contract_broke_since_the_snapshot() -> None:
    changes = breaking_changes(committed_schemas(), current_schemas())
    assert not changes, "bump the event's version instead:\n" + "\n".join(changes)


def test_the_snapshot_is_current() -> None:
    assert committed_schemas() == current_schemas(), f"refresh the snapshot: {REFRESH}"


def test_an_unchanged_schema_breaks_nothing() -> None:
    assert schema_breaks(BEFORE, course_event_schema()) == []


def test_a_field_removed_inside_a_nested_chapter_breaks() -> None:
    chapter = {k: v for k, v in CHAPTER.items() if k != "title"}
    assert schema_breaks(BEFORE, course_event_schema(chapter=chapter)) == [
        "course.sections[].chapters[].title was removed or renamed"
    ]


def test_a_renamed_field_breaks() -> None:
    chapter = {**{k: v for k, v in CHAPTER.items() if k != "title"}, "name": (str, ...)}
    assert schema_breaks(BEFORE, course_event_schema(chapter=chapter)) == [
        "course.sections[].chapters[].title was removed or renamed",
        "course.sections[].chapters[].name is new without a default",
    ]


def test_a_retyped_field_breaks() -> None:
    changes = schema_breaks(BEFORE, course_event_schema(course={**COURSE, "version": (str, ...)}))
    assert changes == ['course.version was retyped: {"type":"integer"} -> {"type":"string"}']


def test_a_field_no_longer_nullable_is_retyped() -> None:
    chapter = {**CHAPTER, "video_key": (str, ...)}
    changes = schema_breaks(BEFORE, course_event_schema(chapter=chapter))
    assert [c.split(":")[0] for c in changes] == [
        "course.sections[].chapters[].video_key was retyped"
    ]


def test_a_new_field_without_a_default_breaks() -> None:
    chapter = {**CHAPTER, "duration_seconds": (int, ...)}
    assert schema_breaks(BEFORE, course_event_schema(chapter=chapter)) == [
        "course.sections[].chapters[].duration_seconds is new without a default"
    ]


def test_a_default_taken_away_breaks() -> None:
    with_default = course_event_schema(course={**COURSE, "currency": (str, "INR")})
    without = course_event_schema(course={**COURSE, "currency": (str, ...)})
    assert schema_breaks(with_default, without) == ["course.currency lost its default"]


def test_a_new_field_with_a_default_breaks_nothing_but_changes_the_snapshot() -> None:
    chapter = {**CHAPTER, "duration_seconds": (int, 0)}
    after = course_event_schema(chapter=chapter)
    assert schema_breaks(BEFORE, after) == []
    assert after != BEFORE


def test_an_event_type_gone_breaks_and_a_new_one_does_not() -> None:
    committed = {"catalog.course.changed.v1": BEFORE}
    assert breaking_changes(committed, {}) == ["catalog.course.changed.v1: the event type is gone"]
    assert breaking_changes(committed, {**committed, "catalog.course.changed.v2": BEFORE}) == []
