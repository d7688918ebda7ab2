"""Course updates: whitelisted fields, ids kept or assigned, publishing rules."""

from __future__ import annotations

import json

import pytest

from catalog.domain.model import new_draft, revise
from catalog.domain.validation import CourseInvalid, check_publishable, parse_changes


def draft():  # type: ignore[no-untyped-def]
    return new_draft("c1", "t1", "Tina Teacher", "2026-01-01T00:00:00.000Z")


def test_only_editable_fields_change_and_echoes_are_ignored() -> None:
    changes = parse_changes(
        {"title": "Go", "courseId": "c1", "teacherId": "t1", "teacherName": "Mallory"}, "c1"
    )
    assert changes == {"title": "Go"}


def test_unknown_and_read_only_fields_are_named() -> None:
    with pytest.raises(CourseInvalid) as caught:
        parse_changes(
            {
                "enrollments": [],
                "enrollmentCount": 99,
                "courseId": "other",
                "sections": [{"owner": "x", "chapters": [{"type": "Text", "paid": True}]}],
            },
            "c1",
        )
    assert caught.value.details == {
        "enrollments": "is not a field you can set",
        "enrollmentCount": "is not a field you can set",
        "courseId": "cannot be changed",
        "sections[0].owner": "is not a field you can set",
        "sections[0].chapters[0].paid": "is not a field you can set",
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": 7}, "title"),
        ({"title": "  "}, "title"),
        ({"price": "49.99"}, "price"),
        ({"price": 49.5}, "price"),
        ({"price": -1}, "price"),
        ({"price": True}, "price"),
        ({"price": 10**12}, "price"),
        ({"sections": "not json"}, "sections"),
        ({"sections": {"a": 1}}, "sections"),
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
    ],
)
def test_wrong_types_are_named(body: dict[str, object], field: str) -> None:
    with pytest.raises(CourseInvalid) as caught:
        parse_changes(body, "c1")
    assert field in caught.value.details


def test_a_price_may_come_as_form_text() -> None:
    assert parse_changes({"price": "4999"}, "c1") == {"price": 4999}


def test_sections_keep_ids_and_get_new_ones() -> None:
    sections = json.dumps(
        [{"sectionId": "s1", "sectionTitle": "Intro", "chapters": [{"type": "Text", "title": "a"}]}]
    )
    parsed = parse_changes({"sections": sections}, "c1")["sections"]
    [section] = parsed  # type: ignore[misc]
    assert section.section_id == "s1"
    assert len(section.chapters[0].chapter_id) == 32


def test_every_bad_field_is_named() -> None:
    with pytest.raises(CourseInvalid) as caught:
        parse_changes(
            {
                "price": -1,
                "level": "Expert",
                "status": "Live",
                "sections": [{"chapters": [{"type": "Podcast"}]}],
            },
            "c1",
        )
    assert set(caught.value.details) == {
        "price",
        "level",
        "status",
        "sections[0].chapters[0].type",
    }


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(CourseInvalid):
        parse_changes({"sections": [{"sectionId": "x"}, {"sectionId": "x"}]}, "c1")


def test_publishing_needs_title_category_chapters_and_videos() -> None:
    course = revise(draft(), parse_changes({"status": "Published"}, "c1"), "t2")
    with pytest.raises(CourseInvalid) as caught:
        check_publishable(course)
    assert {"category", "sections"} <= set(caught.value.details)
    video = parse_changes(
        {
            "category": "Programming",
            "status": "Published",
            "sections": [{"sectionTitle": "s", "chapters": [{"type": "Video", "title": "v"}]}],
        },
        "c1",
    )
    with pytest.raises(CourseInvalid) as caught:
        check_publishable(revise(draft(), video, "t2"))
    assert list(caught.value.details) == ["sections[0].chapters[0].video"]


def test_first_publication_is_stamped_once() -> None:
    published = revise(
        draft(),
        parse_changes(
            {
                "category": "Programming",
                "status": "Published",
                "sections": [{"chapters": [{"type": "Text", "title": "t"}]}],
            },
            "c1",
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
    with pytest.raises(CourseInvalid) as caught:
        parse_changes({"sections": sections}, "c1")
    assert caught.value.details == {"sections": "must be a JSON array"}


def test_a_section_id_with_a_trailing_newline_is_not_an_id() -> None:
    with pytest.raises(CourseInvalid) as caught:
        parse_changes({"sections": [{"sectionId": "s1\n", "chapters": []}]}, "c1")
    assert "sections[0].sectionId" in caught.value.details
