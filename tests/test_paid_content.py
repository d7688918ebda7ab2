"""Paid content is paid: the lessons, quizzes and videos of a course reach only its buyers and
its teacher, through the gateway; and what was handed out counts against a refund."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest
import requests

from tests.helpers import Api, User, eventually

FREE_LESSON = "Welcome: this one is on the house."
PAID_LESSONS = {"lesson": "The paid lesson, word for word.", "quiz": "Q: 2 + 2? A: 4"}
PAID_VIDEOS = ("v1", "v2", "v3", "v4", "v5")
OUTLINE_FIELDS = {"chapterId", "type", "title", "freePreview"}


@pytest.fixture(scope="module")
def course(api: Api) -> dict[str, Any]:
    """A published, priced course: a free Text lesson and a free trailer, a paid Text lesson and
    Quiz, and five paid video chapters."""
    teacher = api.onboard("teacher")
    course_id = api.draft(teacher)
    videos = {c: api.upload_video(teacher, course_id, "s1", c) for c in ("trailer", *PAID_VIDEOS)}
    chapters = [
        {"chapterId": "intro", "type": "Text", "title": "Intro", "content": FREE_LESSON,
         "freePreview": True},
        {"chapterId": "lesson", "type": "Text", "title": "Lesson",
         "content": PAID_LESSONS["lesson"]},
        {"chapterId": "quiz", "type": "Quiz", "title": "Quiz", "content": PAID_LESSONS["quiz"]},
        {"chapterId": "trailer", "type": "Video", "title": "Trailer", "video": videos["trailer"],
         "freePreview": True},
        *({"chapterId": c, "type": "Video", "title": c, "video": videos[c]} for c in PAID_VIDEOS),
    ]  # fmt: skip
    body = {
        "title": "Paid content is paid",
        "category": "Security",
        "price": 9900,
        "status": "Published",
        "sections": [{"sectionId": "s1", "sectionTitle": "All", "chapters": chapters}],
    }
    saved = api.call("PUT", f"/courses/{course_id}", teacher, json=body)
    assert saved.status_code == 200, saved.text
    return {"id": course_id, "teacher": teacher}


def get_course(api: Api, viewer: User | None, course_id: str, **params: str) -> requests.Response:
    response = api.call("GET", f"/courses/{course_id}", viewer, params=params)
    assert response.status_code == 200, response.text
    return response


def chapters_of(course: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["chapterId"]: c for s in course["sections"] for c in s["chapters"]}


def with_field(course: dict[str, Any], field: str) -> set[str]:
    return {i for i, c in chapters_of(course).items() if field in c}


def buy(api: Api, course_id: str) -> tuple[User, str]:
    """A student pays and catalog learns it; every check here asks `?playback=stream`, so no
    paid playback URL is issued before the test means to."""
    student = api.onboard("student")
    order_id = str(api.create_order(student, course_id)["order_id"])
    api.pay(order_id)

    def unlocked() -> bool:
        course = get_course(api, student, course_id, playback="stream").json()["data"]
        return "lesson" in with_field(course, "content")

    eventually(unlocked)
    return student, order_id


def ask_refund(api: Api, student: User, order_id: str) -> requests.Response:
    body = {"orderId": order_id, "reason": "Not for me"}
    return api.call("POST", "/api/payments/refunds", student, json=body)


def assert_outline_only_with_free_previews(course: dict[str, Any]) -> None:
    chapters = chapters_of(course)
    assert set(chapters) == {"intro", "lesson", "quiz", "trailer", *PAID_VIDEOS}
    assert all(set(c) >= OUTLINE_FIELDS for c in chapters.values()), "the storefront still renders"
    assert with_field(course, "content") == {"intro", "trailer"}
    assert chapters["intro"]["content"] == FREE_LESSON
    assert with_field(course, "video") == {"trailer"}
    assert not set(PAID_LESSONS.values()) & {c.get("content") for c in chapters.values()}


def test_an_anonymous_visitor_reads_no_paid_lesson_quiz_or_video(
    api: Api, course: dict[str, Any]
) -> None:
    assert_outline_only_with_free_previews(get_course(api, None, course["id"]).json()["data"])


def test_a_signed_in_student_who_did_not_buy_reads_no_paid_lesson(
    api: Api, course: dict[str, Any]
) -> None:
    for stranger in (api.onboard("student"), api.onboard("teacher")):
        response = get_course(api, stranger, course["id"])
        assert_outline_only_with_free_previews(response.json()["data"])


def test_the_buyer_and_the_owner_read_everything_and_no_cache_keeps_it(
    api: Api, course: dict[str, Any]
) -> None:
    student, _ = buy(api, course["id"])
    for viewer in (student, course["teacher"]):
        response = get_course(api, viewer, course["id"])
        assert response.headers["Cache-Control"] == "no-store"
        data = response.json()["data"]
        chapters = chapters_of(data)
        assert {i: chapters[i]["content"] for i in PAID_LESSONS} == PAID_LESSONS
        assert with_field(data, "video") == {"trailer", *PAID_VIDEOS}
    assert_outline_only_with_free_previews(get_course(api, None, course["id"]).json()["data"])


def test_no_listing_carries_a_lesson_or_a_video_for_anyone(
    api: Api, course: dict[str, Any]
) -> None:
    student, _ = buy(api, course["id"])
    teacher = course["teacher"]
    full = get_course(api, teacher, course["id"]).json()["data"]

    def card(viewer: User | None) -> dict[str, Any] | None:
        response = api.call(
            "GET", "/courses", viewer, params={"category": "Security", "limit": 100}
        )
        return next((c for c in response.json()["data"] if c["courseId"] == course["id"]), None)

    cards = [eventually(partial(card, viewer)) for viewer in (None, student, teacher)]
    own = api.call("GET", "/courses/teacher", teacher).json()["data"]
    cards += [c for c in own if c["courseId"] == course["id"]]
    enrolled = [c for c in api.enrolled_courses(student) if c["courseId"] == course["id"]]
    assert len(cards) == 4 and len(enrolled) == 1
    for listed in cards:
        assert set(listed) == set(full), "every Course JSON field stays"
        assert with_field(listed, "content") == with_field(listed, "video") == set()
        assert set(chapters_of(listed)) == set(chapters_of(full))
    assert with_field(enrolled[0], "content") == with_field(enrolled[0], "video") == set()


def test_a_refund_takes_the_lessons_back_on_the_next_read(api: Api, course: dict[str, Any]) -> None:
    student, order_id = buy(api, course["id"])
    assert ask_refund(api, student, order_id).status_code == 202

    def locked() -> dict[str, Any] | None:
        data: dict[str, Any] = get_course(api, student, course["id"]).json()["data"]
        return data if "lesson" not in with_field(data, "content") else None

    assert_outline_only_with_free_previews(eventually(locked))


def test_opening_the_course_page_hands_out_every_video_so_no_refund(
    api: Api, course: dict[str, Any]
) -> None:
    student, order_id = buy(api, course["id"])
    page = get_course(api, student, course["id"]).json()["data"]
    assert with_field(page, "video") >= set(PAID_VIDEOS)

    response = ask_refund(api, student, order_id)
    assert response.status_code == 409, response.text
    error = response.json()["error"]
    assert error["code"] == "refund_content_issued"
    assert error["details"] == {
        "issuedPercent": 100,
        "issuedChapters": 5,
        "paidVideoChapters": 5,
        "limitPercent": 30,
    }
    assert "lesson" in with_field(get_course(api, student, course["id"]).json()["data"], "content")


def test_a_student_who_streams_one_chapter_of_five_may_still_refund(
    api: Api, course: dict[str, Any]
) -> None:
    student, order_id = buy(api, course["id"])
    page = get_course(api, student, course["id"], playback="stream").json()["data"]
    assert with_field(page, "video") == set(), "no URL at all, the free trailer's included"
    assert with_field(page, "content") == set(chapters_of(page))
    assert api.stream(student, course["id"], "v1").status_code == 200
    assert api.stream(student, course["id"], "trailer").status_code == 200  # free for anyone

    assert ask_refund(api, student, order_id).status_code == 202


def test_a_second_streamed_chapter_of_five_reaches_the_limit(
    api: Api, course: dict[str, Any]
) -> None:
    student, order_id = buy(api, course["id"])
    for chapter_id in ("v1", "v2"):
        assert api.stream(student, course["id"], chapter_id).status_code == 200

    response = ask_refund(api, student, order_id)
    assert (response.status_code, response.json()["error"]["code"]) == (
        409,
        "refund_content_issued",
    )
    assert response.json()["error"]["details"]["issuedPercent"] == 40


def test_an_unknown_playback_mode_is_refused(api: Api, course: dict[str, Any]) -> None:
    response = api.call("GET", f"/courses/{course['id']}", params={"playback": "everything"})
    assert response.status_code == 400
    assert "playback" in response.json()["error"]["details"]
