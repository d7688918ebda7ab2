"""Catalog's answers keep the frontend's shapes, field for field and in order, now that they are
the models of shared/api/courses.py; the table stores the same documents."""

from __future__ import annotations

import json
from typing import Any, cast

import pytest
from pydantic import ValidationError

from catalog import views
from catalog.adapters.repository import Page, card_item, to_item
from catalog.cards import card_json, card_of, decode_card, encode_card
from catalog.course_media import CourseMedia
from catalog.domain.access import Access
from catalog.domain.media import UploadRequest
from catalog.domain.model import Chapter, Course, Section, new_draft, revise
from shared.api import internal
from shared.config import MediaSettings
from shared.media.playback import PlaybackSigner
from shared.media.store import MediaStore
from shared.tests.factories import CARD_WIRE_KEYS

AT, LATER = "2026-11-25T10:00:00.000Z", "2026-11-26T09:00:00.000Z"
THUMBNAIL = "courses/c1/thumbnails/abc.png"


class Signer:
    def sign(self, key: str) -> str:
        return f"https://signed.example/{key}?sig=1"


class Store:
    """The presigning part of MediaStore, without a bucket."""

    def presigned_put(self, key: str, content_type: str, seconds: int, size: int | None) -> str:
        return f"https://bucket.example/{key}?put&size={size}"

    def object_url(self, key: str) -> str:
        return f"https://bucket.example/{key}"

    def presigned_post(
        self, key: str, content_type: str, max_bytes: int, seconds: int
    ) -> dict[str, Any]:
        return {
            "url": "https://bucket.example/",
            "fields": {"key": key, "Content-Type": content_type, "policy": str(max_bytes)},
        }


MEDIA = CourseMedia(cast(MediaStore, Store()), cast(PlaybackSigner, Signer()), MediaSettings())


def course(image: str | None = THUMBNAIL, enrollment_count: int = 3) -> Course:
    """A published course: a section with a description, one without, one with no chapters;
    a paid lesson, an empty free one, a free video, a paid one and one not uploaded yet."""
    chapters = (
        Chapter("text", "Text", "Lesson — déjà vu", content="the paid lesson"),
        Chapter("quiz", "Quiz", "Free quiz", content="", free_preview=True),
        Chapter("v1", "Video", "Trailer", video="courses/c1/videos/v1.mp4", free_preview=True),
        Chapter("v2", "Video", "Part 1", content="notes", video="courses/c1/videos/v2.mp4"),
        Chapter("v3", "Video", "Part 2"),
    )
    return revise(
        new_draft("c1", "t1", "Tina", AT),
        {
            "title": "Rust",
            "description": "Ownership",
            "category": "Programming",
            "price": 49900,
            "level": "Advanced",
            "status": "Published",
            "image": image,
            "enrollment_count": enrollment_count,
            "sections": (
                Section("s1", "Basics", "Where to start", chapters=chapters[:2]),
                Section("s2", "Videos", chapters=chapters[2:]),
                Section("s3", "Soon"),
            ),
        },
        LATER,
    )


def chapters(wire: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["chapterId"]: c for s in wire["sections"] for c in s["chapters"]}


def test_a_course_is_its_card_then_its_outline_and_enrollment_count() -> None:
    wire = views.shown_course(course(), MEDIA, Access.FULL).wire()
    assert list(wire) == [*CARD_WIRE_KEYS, "sections", "enrollmentCount"]
    assert {k: wire[k] for k in CARD_WIRE_KEYS} == {
        "courseId": "c1",
        "teacherId": "t1",
        "teacherName": "Tina",
        "title": "Rust",
        "description": "Ownership",
        "category": "Programming",
        "image": f"https://signed.example/{THUMBNAIL}?sig=1",
        "price": 49900,
        "currency": "INR",
        "level": "Advanced",
        "status": "Published",
        "createdAt": AT,
        "updatedAt": LATER,
    }
    assert wire["enrollmentCount"] == 3
    assert wire["sections"][0] == {
        "sectionId": "s1",
        "sectionTitle": "Basics",
        "sectionDescription": "Where to start",
        "chapters": [
            {
                "chapterId": "text",
                "type": "Text",
                "title": "Lesson — déjà vu",
                "content": "the paid lesson",
                "freePreview": False,
            },
            {
                "chapterId": "quiz",
                "type": "Quiz",
                "title": "Free quiz",
                "content": "",
                "freePreview": True,
            },
        ],
    }
    assert list(wire["sections"][0]) == [
        "sectionId",
        "sectionTitle",
        "sectionDescription",
        "chapters",
    ]
    assert wire["sections"][1]["sectionDescription"] == ""
    assert wire["sections"][2] == {
        "sectionId": "s3",
        "sectionTitle": "Soon",
        "sectionDescription": "",
        "chapters": [],
    }


def test_a_chapter_s_content_and_video_are_absent_not_null_where_access_closes_them() -> None:
    full = chapters(views.shown_course(course(), MEDIA, Access.FULL).wire())
    assert list(full["v2"]) == ["chapterId", "type", "title", "content", "freePreview", "video"]
    assert full["v2"]["video"] == "https://signed.example/courses/c1/videos/v2.mp4?sig=1"
    assert list(full["v3"]) == ["chapterId", "type", "title", "content", "freePreview"]
    preview = chapters(views.shown_course(course(), MEDIA, Access.PREVIEW).wire())
    assert list(preview["v1"]) == ["chapterId", "type", "title", "content", "freePreview", "video"]
    assert list(preview["v2"]) == ["chapterId", "type", "title", "freePreview"]
    outline = chapters(views.shown_course(course(), MEDIA, Access.OUTLINE).wire())
    assert all(list(c) == ["chapterId", "type", "title", "freePreview"] for c in outline.values())
    streamed = chapters(views.shown_course(course(), MEDIA, Access.FULL, False).wire())
    assert not any("video" in c for c in streamed.values())
    assert streamed["text"]["content"] == "the paid lesson"


def test_a_course_without_a_thumbnail_answers_a_null_image() -> None:
    wire = views.shown_course(course(image=None), MEDIA, Access.OUTLINE).wire()
    assert "image" in wire and wire["image"] is None


def test_a_listed_card_is_the_course_as_every_caller_sees_it() -> None:
    shown = views.shown_course(course(), MEDIA, Access.OUTLINE).wire()
    listed = card_json(decode_card(encode_card(card_of(course())), 3), MEDIA)
    assert json.dumps(listed) == json.dumps(shown)
    page = views.listing_page(Page([card_of(course())], None), MEDIA)
    assert json.loads(page.body) == {"message": views.COURSES_RETRIEVED, "data": [shown]}


def test_the_table_stores_the_course_document_with_keys_and_without_the_count() -> None:
    stored = to_item(course())
    assert list(stored)[2:] == [*CARD_WIRE_KEYS, "sections", "publishedAt", "version", "mediaBytes"]
    assert stored["image"] == THUMBNAIL
    assert chapters(stored)["v2"] == {
        "chapterId": "v2",
        "type": "Video",
        "title": "Part 1",
        "content": "notes",
        "freePreview": False,
        "video": "courses/c1/videos/v2.mp4",
    }
    assert "video" not in chapters(stored)["v3"]
    card = json.loads(card_item(course(), 3)["card"])
    assert list(card) == [*CARD_WIRE_KEYS, "sections"] and card["image"] == THUMBNAIL
    assert all(
        list(c) == ["chapterId", "type", "title", "freePreview"] for c in chapters(card).values()
    )


def test_upload_urls_are_the_put_the_reference_and_the_form_post() -> None:
    request = UploadRequest("s1", "c1", "lesson.mp4", "video/mp4", 1234)
    wire = MEDIA.upload_urls("c1", request).wire()
    assert list(wire) == ["uploadUrl", "videoUrl", "uploadPost"]
    key = wire["uploadPost"]["fields"]["key"]
    assert key.startswith("staging/courses/c1/videos/s1/c1/")
    assert wire["uploadUrl"] == f"https://bucket.example/{key}?put&size=1234"
    assert wire["videoUrl"] == f"https://bucket.example/{key}"
    assert wire["uploadPost"] == {
        "url": "https://bucket.example/",
        "fields": {"key": key, "Content-Type": "video/mp4", "policy": "1234"},
    }


def test_billing_s_internal_answers_keep_their_fields_and_read_back_as_built() -> None:
    priced = views.priced_course(course())
    assert json.dumps(priced.wire()) == json.dumps(
        {
            "courseId": "c1",
            "title": "Rust",
            "teacherId": "t1",
            "status": "Published",
            "price": 49900,
            "currency": "INR",
        }
    )
    assert internal.PricedCourse.from_wire(priced.wire()) == priced
    played = views.course_playback(course(), "u1", frozenset({"v2", "quiz", "v1", "gone"}))
    assert json.dumps(played.wire()) == json.dumps(
        {
            "courseId": "c1",
            "userId": "u1",
            "paidVideoChapterIds": ["v2"],
            "issuedChapterIds": ["gone", "quiz", "v1", "v2"],
        }
    )
    assert internal.CoursePlayback.from_wire(played.wire()) == played
    nothing = views.course_playback(course(), "u2", frozenset()).wire()
    assert (nothing["paidVideoChapterIds"], nothing["issuedChapterIds"]) == (["v2"], [])


def test_a_chapter_type_the_contract_does_not_know_is_refused_not_answered() -> None:
    odd = revise(
        course(),
        {"sections": (Section("s1", "S", chapters=(Chapter("x", "Slides", "?"),)),)},
        LATER,
    )
    with pytest.raises(ValidationError):
        views.shown_course(odd, MEDIA, Access.FULL)
