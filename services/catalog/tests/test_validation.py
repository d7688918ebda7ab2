"""Course saves: the body's fields checked, ids kept or assigned, publishing rules."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from catalog.domain.model import Section, new_draft, revise
from catalog.domain.validation import CourseInvalid, changes_of, check_publishable
from catalog.entrypoints.bodies import course_edit
from shared.api.courses import SaveCourseBody
from shared.web.body import field_problems


def draft():  # type: ignore[no-untyped-def]
    return new_draft("c1", "t1", "Tina Teacher", "2026-01-01T00:00:00.000Z")


def changes(body: dict[str, Any]) -> dict[str, object]:
    """What a save of `body` to course c1 changes, as the PUT reads it."""
    return changes_of(course_edit(SaveCourseBody.model_validate(body)), "c1")


def problems(body: dict[str, Any]) -> dict[str, str]:
    """The details of the 400 a save of `body` gets: its fields first, then the course's ids."""
    try:
        changes(body)
    except ValidationError as invalid:
        return field_problems(invalid.errors())
    except CourseInvalid as invalid:
        return invalid.details
    return {}


def test_only_editable_fields_change_and_echoes_are_ignored() -> None:
    body = {"title": "Go", "courseId": "c1", "teacherId": "t1", "teacherName": "Mallory"}
    assert changes(body) == {"title": "Go"}


def test_unknown_and_read_only_fields_are_named() -> None:
    assert problems(
        {
            "enrollments": [],
            "enrollmentCount": 99,
            "sections": [{"owner": "x", "chapters": [{"type": "Text", "paid": True}]}],
        }
    ) == {
        "enrollments": "is not a field you can set",
        "enrollmentCount": "is not a field you can set",
        "sections[0].owner": "is not a field you can set",
        "sections[0].chapters[0].paid": "is not a field you can set",
    }
    assert problems({"courseId": "other"}) == {"courseId": "cannot be changed"}
    snake_case = {"sections": [{"section_title": "x", "chapters": [{"type": "Text"}]}]}
    assert problems(snake_case) == {"sections[0].section_title": "is not a field you can set"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": 7}, "title"),
        ({"title": "  "}, "title"),
        ({"title": None}, "title"),
        ({"price": "49.99"}, "price"),
        ({"price": 49.5}, "price"),
        ({"price": -1}, "price"),
        ({"price": True}, "price"),
        ({"price": 10**12}, "price"),
        ({"price": "9" * 5000}, "price"),
        ({"sections": "not json"}, "sections"),
        ({"sections": {"a": 1}}, "sections"),
        ({"sections": None}, "sections"),
        ({"sections": [[]]}, "sections[0]"),
        ({"sections": [{"chapters": {}}]}, "sections[0].chapters"),
        (
            {"sections": [{"chapters": [{"type": "Text", "freePreview": "yes"}]}]},
            "sections[0].chapters[0].freePreview",
        ),
        (
            {"sections": [{"chapters": [{"type": "Video", "video": 5}]}]},
            "sections[0].chapters[0].video",
        ),
        ({"sections": "[" + ",".join(["{}"] * 101) + "]"}, "sections"),
        ({"sections": [{"chapters": [{"type": "Text", "content": "x" * 49_000}] * 7}]}, "sections"),
        ({"sections": [{"chapters": [{"type": "Text"}] * 501}]}, "sections"),
        ({"image": 5}, "image"),
    ],
)
def test_wrong_types_are_named(body: dict[str, object], field: str) -> None:
    assert field in problems(body)


def test_a_json_body_of_wrong_types_names_each_field() -> None:
    assert set(problems({"title": 42, "price": 10.5, "x": 1})) == {"title", "price", "x"}


def test_a_price_may_come_as_form_text() -> None:
    assert changes({"price": "4999"}) == {"price": 4999}
    assert changes({"price": " 4999 ", "title": " Go "}) == {"price": 4999, "title": "Go"}


def test_sections_keep_ids_and_get_new_ones() -> None:
    sections = json.dumps(
        [{"sectionId": "s1", "sectionTitle": "Intro", "chapters": [{"type": "Text", "title": "a"}]}]
    )
    [section] = changes({"sections": sections})["sections"]  # type: ignore[misc]
    assert isinstance(section, Section) and section.section_id == "s1"
    assert len(section.chapters[0].chapter_id) == 32


def test_empty_optional_parts_are_none() -> None:
    body = {
        "sections": [
            {
                "sectionId": "",
                "sectionDescription": None,
                "chapters": [{"type": "Video", "chapterId": "", "content": None, "video": ""}],
            }
        ]
    }
    [section] = changes(body)["sections"]  # type: ignore[misc]
    [chapter] = section.chapters
    assert (section.description, chapter.content, chapter.video) == ("", "", None)
    assert len(section.section_id) == len(chapter.chapter_id) == 32


def test_every_bad_field_is_named() -> None:
    assert set(
        problems(
            {
                "price": -1,
                "level": "Expert",
                "status": "Live",
                "sections": [{"chapters": [{"type": "Podcast"}]}],
            }
        )
    ) == {"price", "level", "status", "sections[0].chapters[0].type"}


def test_duplicate_ids_are_refused() -> None:
    assert set(problems({"sections": [{"sectionId": "x"}, {"sectionId": "x"}]})) == {
        "sections[1].sectionId"
    }
    shared = {"sections": [{"sectionId": "x", "chapters": [{"type": "Text", "chapterId": "x"}]}]}
    assert set(problems(shared)) == {"sections[0].chapters[0].chapterId"}


def test_publishing_needs_title_category_chapters_and_videos() -> None:
    course = revise(draft(), changes({"status": "Published"}), "t2")
    with pytest.raises(CourseInvalid) as caught:
        check_publishable(course)
    assert {"category", "sections"} <= set(caught.value.details)
    video = changes(
        {
            "category": "Programming",
            "status": "Published",
            "sections": [{"sectionTitle": "s", "chapters": [{"type": "Video", "title": "v"}]}],
        }
    )
    with pytest.raises(CourseInvalid) as caught:
        check_publishable(revise(draft(), video, "t2"))
    assert list(caught.value.details) == ["sections[0].chapters[0].video"]


def test_first_publication_is_stamped_once() -> None:
    published = revise(
        draft(),
        changes(
            {
                "category": "Programming",
                "status": "Published",
                "sections": [{"chapters": [{"type": "Text", "title": "t"}]}],
            }
        ),
        "t2",
    )
    check_publishable(published)
    assert published.published_at == "t2" and published.version == 2
    again = revise(published, {"title": "New"}, "t3")
    assert again.published_at == "t2"


@pytest.mark.parametrize(
    "sections",
    ["[" * 10_000 + "]" * 10_000, "[" * 100 + "]" * 100, '[{"sectionTitle": NaN}]', '["\\ud800"]'],
    ids=["beyond-recursion", "beyond-max-depth", "nan", "lone-surrogate"],
)
def test_an_outline_string_nothing_can_store_is_invalid_not_a_crash(sections: str) -> None:
    assert problems({"sections": sections}) == {"sections": "must be a JSON array"}


def test_a_section_id_with_a_trailing_newline_is_not_an_id() -> None:
    assert "sections[0].sectionId" in problems({"sections": [{"sectionId": "s1\n"}]})
