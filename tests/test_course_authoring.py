"""Course authoring through the gateway: presigned uploads to S3, checks on save, signed media."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from shared.media.store import MediaStore
from tests.helpers import LESSON_MP4, THUMBNAIL_PNG, Api, User, eventually

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def outline(*chapters: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"sectionId": "s1", "sectionTitle": "Basics", "chapters": list(chapters)}]


def publishable(**fields: Any) -> dict[str, Any]:
    return {
        "title": "Video Editing Basics",
        "description": "Cut, trim and export.",
        "category": "Design",
        "price": "29900",
        "level": "Beginner",
        "status": "Published",
        **fields,
    }


def chapters_of(course: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for s in course["sections"] for c in s["chapters"]]


def key_of(url: str, course_id: str) -> str:
    path = urlsplit(url).path
    return path[path.index(f"courses/{course_id}/") :]


def fetch(url: str) -> bytes:
    response = requests.get(url, timeout=10)
    assert response.status_code == 200, response.text
    return response.content


def error_of(response: requests.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    return error


@pytest.fixture
def teacher(api: Api) -> User:
    return api.onboard("teacher", name="Vera Video")


def test_teacher_uploads_video_and_thumbnail_then_publishes(
    api: Api, teacher: User, stack_media: MediaStore
) -> None:
    course_id = api.draft(teacher)
    lesson = api.upload_video(teacher, course_id, "s1", "c1")
    preview = api.upload_video(teacher, course_id, "s1", "c2")
    saved = api.save_form(
        teacher,
        course_id,
        publishable(
            sections=outline(
                {"chapterId": "c1", "type": "Video", "title": "Cutting", "video": lesson},
                {
                    "chapterId": "c2",
                    "type": "Video",
                    "title": "Tour",
                    "video": preview,
                    "freePreview": True,
                },
            )
        ),
        image=("cover.png", THUMBNAIL_PNG, "image/png"),
    )
    assert saved.status_code == 200, saved.text
    course = saved.json()["data"]
    assert course["status"] == "Published" and course["price"] == 29900
    owner_view = chapters_of(course)
    assert [fetch(c["video"]) for c in owner_view] == [LESSON_MP4, LESSON_MP4]
    assert fetch(course["image"]) == THUMBNAIL_PNG
    stored = stack_media.head(key_of(owner_view[0]["video"], course_id))
    assert stored is not None and stored.content_type == "video/mp4"
    assert key_of(lesson, course_id).startswith(f"courses/{course_id}/videos/s1/c1/")

    eventually(lambda: course_id in api.listed(), timeout=1.0, every=0.05)
    student = api.onboard("student")
    card = next(
        c
        for c in api.call("GET", "/courses?limit=100", student).json()["data"]
        if c["courseId"] == course_id
    )
    assert all("video" not in c for c in chapters_of(card))
    assert fetch(card["image"]) == THUMBNAIL_PNG

    for viewer in (student, None):
        seen = api.call("GET", f"/courses/{course_id}", viewer).json()["data"]
        locked, free = chapters_of(seen)
        assert "video" not in locked
        assert fetch(free["video"]) == LESSON_MP4


def test_a_video_sent_back_as_the_signed_url_keeps_its_key(api: Api, teacher: User) -> None:
    course_id = api.draft(teacher)
    video = api.upload_video(teacher, course_id)
    first = api.save_form(
        teacher,
        course_id,
        {"sections": outline({"chapterId": "c1", "type": "Video", "video": video})},
    )
    assert first.status_code == 200, first.text
    signed = api.call("GET", f"/courses/{course_id}", teacher).json()["data"]
    sections = signed["sections"]
    for ref in (chapters_of(signed)[0]["video"], key_of(video, course_id), video):
        sections[0]["chapters"][0]["video"] = ref
        again = api.call("PUT", f"/courses/{course_id}", teacher, json={"sections": sections})
        assert again.status_code == 200, again.text
        assert key_of(chapters_of(again.json()["data"])[0]["video"], course_id) == key_of(
            video, course_id
        )


def test_replaced_thumbnail_and_removed_video_leave_s3(
    api: Api, teacher: User, stack_media: MediaStore
) -> None:
    course_id = api.draft(teacher)
    video = api.upload_video(teacher, course_id)
    first = api.save_form(
        teacher,
        course_id,
        {"sections": outline({"chapterId": "c1", "type": "Video", "video": video})},
        image=("a.png", THUMBNAIL_PNG, "image/png"),
    ).json()["data"]
    old_image = key_of(first["image"], course_id)
    second = api.save_form(
        teacher,
        course_id,
        {"sections": outline({"chapterId": "c9", "type": "Text", "title": "Notes"})},
        image=("b.png", THUMBNAIL_PNG, "image/png"),
    )
    assert second.status_code == 200, second.text
    new_image = key_of(second.json()["data"]["image"], course_id)
    assert new_image != old_image and stack_media.head(new_image) is not None
    eventually(lambda: stack_media.head(old_image) is None)
    eventually(lambda: stack_media.head(key_of(video, course_id)) is None)


def test_upload_urls_are_for_videos_of_the_owners_course_only(api: Api, teacher: User) -> None:
    course_id = api.draft(teacher)
    pdf = api.upload_url(teacher, course_id, fileType="application/pdf", fileName="notes.pdf")
    assert error_of(pdf, 400)["details"] == {"fileType": "must be a video/* content type"}
    traversal = api.upload_url(teacher, course_id, fileName="../../etc/passwd")
    assert "fileName" in error_of(traversal, 400)["details"]
    odd = api.upload_url(teacher, course_id, fileName="My Lesson (final).MP4")
    assert odd.status_code == 200
    key = key_of(odd.json()["data"]["videoUrl"], course_id)
    assert key.endswith("-My-Lesson-final-.MP4") and "/videos/s1/c1/" in key
    assert error_of(api.upload_url(api.onboard("teacher"), course_id), 403)["code"] == "not_owner"
    assert api.upload_url(api.onboard("student"), course_id).status_code == 403
    assert api.upload_url(teacher, "no-such-course").status_code == 404


def video_problem(api: Api, teacher: User, course_id: str, video: str) -> str:
    response = api.save_form(
        teacher,
        course_id,
        {"sections": outline({"chapterId": "c1", "type": "Video", "video": video})},
    )
    problem: str = error_of(response, 400)["details"]["sections[0].chapters[0].video"]
    return problem


def test_saved_videos_are_checked_in_s3(api: Api, teacher: User) -> None:
    course_id = api.draft(teacher)
    as_video = api.upload_video(teacher, course_id, data=PDF)
    assert "is not a video file" in video_problem(api, teacher, course_id, as_video)
    too_big = LESSON_MP4 + b"\0" * (1024 * 1024)
    big = api.upload_video(teacher, course_id, chapter_id="c2", data=too_big)
    assert "at most 1048576 bytes" in video_problem(api, teacher, course_id, big)
    never_sent = api.upload_url(teacher, course_id).json()["data"]["videoUrl"]
    assert "was not uploaded" in video_problem(api, teacher, course_id, never_sent)
    other_course = api.draft(teacher)
    foreign = api.upload_video(teacher, other_course)
    assert "uploaded for this course" in video_problem(api, teacher, course_id, foreign)
    assert "uploaded for this course" in video_problem(
        api, teacher, course_id, f"courses/{course_id}/videos/../../{other_course}/x.mp4"
    )
    assert "uploaded for this course" in video_problem(
        api, teacher, course_id, "https://evil.example/courses/x.mp4"
    )
    course = api.call("GET", f"/courses/{course_id}", teacher).json()["data"]
    assert course["sections"] == []


@pytest.mark.parametrize(
    ("image", "status", "code"),
    [
        (("big.png", THUMBNAIL_PNG + b"\0" * (50 * 1024 * 1024), "image/png"), 413, None),
        (("big.png", THUMBNAIL_PNG + b"\0" * (5 * 1024 * 1024), "image/png"), 413, None),
        (("doc.pdf", PDF, "application/pdf"), 415, "unsupported_media_type"),
        (("fake.png", PDF, "image/png"), 415, "unsupported_media_type"),
    ],
    ids=["50MB", "just-over-5MB", "pdf", "pdf-labelled-png"],
)
def test_bad_thumbnails_are_refused_naming_the_field(
    api: Api, teacher: User, image: tuple[str, bytes, str], status: int, code: str | None
) -> None:
    course_id = api.draft(teacher)
    response = api.save_form(teacher, course_id, {"title": "Changed"}, image=image)
    error = error_of(response, status)
    assert "image" in error["details"]
    if code:
        assert error["code"] == code
    course = api.call("GET", f"/courses/{course_id}", teacher).json()["data"]
    assert course["title"] == "Untitled Course" and course["image"] is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"sections": "{not json"}, "sections"),
        ({"price": "-100"}, "price"),
        ({"price": "12.50"}, "price"),
        ({"enrollments": "[]"}, "enrollments"),
        ({"level": "Wizard"}, "level"),
        ({"status": "Live"}, "status"),
    ],
)
def test_bad_form_fields_are_named_and_nothing_is_written(
    api: Api, teacher: User, fields: dict[str, str], field: str
) -> None:
    course_id = api.draft(teacher)
    response = api.save_form(teacher, course_id, {"title": "Changed", **fields})
    assert field in error_of(response, 400)["details"]
    course = api.call("GET", f"/courses/{course_id}", teacher).json()["data"]
    assert course["title"] == "Untitled Course"


def test_json_bodies_are_checked_for_types(api: Api, teacher: User) -> None:
    course_id = api.draft(teacher)
    response = api.call(
        "PUT", f"/courses/{course_id}", teacher, json={"title": 42, "price": 10.5, "x": 1}
    )
    assert set(error_of(response, 400)["details"]) == {"title", "price", "x"}


def test_only_the_owner_edits_or_deletes(api: Api, teacher: User) -> None:
    course_id = api.draft(teacher)
    intruder = api.onboard("teacher")
    student = api.onboard("student")
    edit = api.save_form(intruder, course_id, {"title": "Mine now"})
    assert error_of(edit, 403)["code"] == "not_owner"
    assert api.save_form(student, course_id, {"title": "Mine now"}).status_code == 403
    assert api.call("DELETE", f"/courses/{course_id}", intruder).status_code == 403
    assert api.call("DELETE", f"/courses/{course_id}", student).status_code == 403
    course = api.call("GET", f"/courses/{course_id}", teacher).json()["data"]
    assert course["title"] == "Untitled Course"


def test_a_course_without_students_is_deleted_with_its_media(
    api: Api, teacher: User, stack_media: MediaStore
) -> None:
    course_id = api.draft(teacher)
    video = api.upload_video(teacher, course_id)
    saved = api.save_form(
        teacher,
        course_id,
        publishable(sections=outline({"chapterId": "c1", "type": "Video", "video": video})),
        image=("a.png", THUMBNAIL_PNG, "image/png"),
    ).json()["data"]
    eventually(lambda: course_id in api.listed(), timeout=1.0, every=0.05)
    gone = api.call("DELETE", f"/courses/{course_id}", teacher)
    assert gone.status_code == 200 and gone.json()["data"]["status"] == "Deleted"
    assert api.call("GET", f"/courses/{course_id}", teacher).status_code == 404
    eventually(lambda: course_id not in api.listed(), timeout=1.0, every=0.05)
    for key in (key_of(video, course_id), key_of(saved["image"], course_id)):
        eventually(lambda key=key: stack_media.head(key) is None)  # type: ignore[misc]


def test_search_matches_every_word_newest_first_and_pages(api: Api, teacher: User) -> None:
    word = f"zq{uuid.uuid4().hex[:10]}"
    ids = []
    for title in ("Kubernetes operators", "Gardening", "Kubernetes networking"):
        course_id = api.draft(teacher)
        body = publishable(
            title=f"{title} {word}",
            description="Hands-on lessons for beginners.",
            sections=outline({"type": "Text", "title": "Intro"}),
        )
        assert api.save_form(teacher, course_id, body).status_code == 200
        ids.append(course_id)
    draft = api.draft(teacher)
    api.save_form(teacher, draft, {"title": f"Draft {word}"})

    eventually(lambda: api.listed(q=word) == ids[::-1], timeout=1.0, every=0.05)
    assert api.listed(q=f"KUBERNETES {word}") == [ids[2], ids[0]]
    assert api.listed(q=f"{word} lesson") == ids[::-1], "plurals match the singular"
    assert api.listed(q=f"{word} networking", category="Design") == [ids[2]]
    assert api.listed(q=f"{word} networking", category="Music") == []
    assert api.listed(q=f"{word} cooking") == []

    first = api.call("GET", "/courses", params={"q": word, "limit": 2})
    assert [c["courseId"] for c in first.json()["data"]] == [ids[2], ids[1]]
    cursor = first.headers["X-Next-Cursor"]
    rest = api.call("GET", "/courses", params={"q": word, "limit": 2, "cursor": cursor})
    assert [c["courseId"] for c in rest.json()["data"]] == [ids[0]]

    unpublished = api.call("PUT", f"/courses/{ids[1]}", teacher, json={"status": "Draft"})
    assert unpublished.status_code == 200
    eventually(lambda: api.listed(q=word) == [ids[2], ids[0]], timeout=1.0, every=0.05)
    long = api.call("GET", "/courses", params={"q": "x" * 101})
    assert "q" in error_of(long, 400)["details"]


def test_a_published_change_shows_in_the_cached_listing_within_a_second(
    api: Api, teacher: User
) -> None:
    course = api.published_course(teacher)
    eventually(lambda: course["courseId"] in api.listed(), timeout=1.0, every=0.05)

    def title_listed() -> str:
        cards = api.call("GET", "/courses?limit=100").json()["data"]
        return next(c["title"] for c in cards if c["courseId"] == course["courseId"])

    assert title_listed() == course["title"]
    changed = api.call("PUT", f"/courses/{course['courseId']}", teacher, json={"title": "Renamed"})
    assert changed.status_code == 200
    eventually(lambda: title_listed() == "Renamed", timeout=1.0, every=0.05)
