"""Course updates: whitelisted fields, ids kept or assigned, publishing rules."""

from __future__ import annotations

import json

import pytest

from catalog.domain.model import new_draft, revise
from catalog.domain.validation import CourseInvalid, check_publishable, parse_changes


def draft():  # type: ignore[no-untyped-def]
    return new_draft("c1", "t1", "Tina Teacher", "2026-01-01T00:00:00.000Z")


def test_only_editable_fields_change() -> None:
    changes = parse_changes({"title": "Go", "teacherId": "someone", "enrollmentCount": 99})
    assert changes == {"title": "Go"}


def test_sections_keep_ids_and_get_new_ones() -> None:
    sections = json.dumps(
        [{"sectionId": "s1", "sectionTitle": "Intro", "chapters": [{"type": "Text", "title": "a"}]}]
    )
    parsed = parse_changes({"sections": sections})["sections"]
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
            }
        )
    assert set(caught.value.details) == {
        "price",
        "level",
        "status",
        "sections[0].chapters[0].type",
    }


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(CourseInvalid):
        parse_changes({"sections": [{"sectionId": "x"}, {"sectionId": "x"}]})


def test_publishing_needs_title_category_chapters_and_videos() -> None:
    course = revise(draft(), parse_changes({"status": "Published"}), "t2")
    with pytest.raises(CourseInvalid) as caught:
        check_publishable(course)
    assert {"category", "sections"} <= set(caught.value.details)
    video = parse_changes(
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
        parse_changes(
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
