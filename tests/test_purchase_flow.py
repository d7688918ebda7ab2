"""End to end through the gateway: a paid course turns into an enrollment, once."""

from __future__ import annotations

from typing import Any

import requests

from tests.helpers import LESSON_MP4, THUMBNAIL_PNG, Api, User, eventually


def video_course(api: Api, teacher: User) -> dict[str, Any]:
    """Flow 1: a draft, a video and a thumbnail uploaded, then published."""
    course_id = api.draft(teacher)
    video = api.upload_video(teacher, course_id, "intro", "welcome")
    fields = {
        "title": "Distributed Systems in Python",
        "description": "Queues, outboxes and idempotent consumers.",
        "category": "Programming",
        "price": "49900",
        "level": "Intermediate",
        "status": "Published",
        "sections": [
            {
                "sectionId": "intro",
                "sectionTitle": "Foundations",
                "chapters": [
                    {"chapterId": "welcome", "type": "Video", "title": "Welcome", "video": video},
                    {"type": "Quiz", "title": "Check yourself", "content": "…"},
                ],
            }
        ],
    }
    saved = api.save_form(teacher, course_id, fields, ("cover.png", THUMBNAIL_PNG, "image/png"))
    assert saved.status_code == 200, saved.text
    course: dict[str, Any] = saved.json()["data"]
    return course


def welcome_video(api: Api, course_id: str, viewer: User | None) -> str | None:
    course = api.call("GET", f"/courses/{course_id}", viewer).json()["data"]
    video: str | None = course["sections"][0]["chapters"][0].get("video")
    return video


def test_student_pays_and_is_enrolled(api: Api) -> None:
    teacher = api.onboard("teacher", name="Tina Teacher")
    course = video_course(api, teacher)
    assert course["status"] == "Published" and course["teacherName"] == "Tina Teacher"

    student = api.onboard("student", name="Sam Student")
    eventually(lambda: course["courseId"] in api.listed(), timeout=1.0, every=0.05)
    card = next(
        c
        for c in api.call("GET", "/courses?limit=100", student).json()["data"]
        if c["courseId"] == course["courseId"]
    )
    assert "video" not in card["sections"][0]["chapters"][0]
    assert requests.get(card["image"], timeout=10).content == THUMBNAIL_PNG
    assert welcome_video(api, course["courseId"], student) is None
    own = api.call("GET", "/courses/teacher", teacher).json()["data"]
    assert [c["courseId"] for c in own] == [course["courseId"]]

    order = api.create_order(student, course["courseId"])
    assert order["order_status"] == "ACTIVE" and order["payment_session_id"].startswith("session_")
    assert str(order["order_amount"]) in ("499", "499.0", "499.00")
    again = api.create_order(student, course["courseId"])
    assert again["order_id"] == order["order_id"], "an open order is reused, not duplicated"

    checkout = api.session.get(f"{api.standins}/checkout/{order['payment_session_id']}", timeout=10)
    assert checkout.status_code == 200 and order["order_id"] in checkout.text

    paid = api.pay(order["order_id"])
    assert paid["delivered"] == 200

    assert eventually(lambda: api.order_status(student, order["order_id"]) == "SUCCESS")
    enrolled = eventually(lambda: api.enrolled_courses(student))
    assert [(c["courseId"], c["overallProgress"]) for c in enrolled] == [(course["courseId"], 0)]
    assert enrolled[0]["title"] == course["title"]
    assert requests.get(enrolled[0]["image"], timeout=10).content == THUMBNAIL_PNG
    video = eventually(lambda: welcome_video(api, course["courseId"], student))
    assert requests.get(video, timeout=10).content == LESSON_MP4, "enrolled: every video"

    progress = api.call(
        "GET", f"/users/course-progress/{student.user_id}/courses/{course['courseId']}", student
    )
    assert progress.status_code == 200
    assert progress.json()["data"]["overallProgress"] == 0
    assert len(progress.json()["data"]["sections"][0]["chapters"]) == 2

    [txn] = api.transactions(student)
    assert (txn["transactionId"], txn["status"], txn["amount"]) == (
        order["order_id"],
        "SUCCESS",
        49900,
    )

    repeat = api.call(
        "POST", "/api/payments/create-order", student, json={"courseId": course["courseId"]}
    )
    assert repeat.status_code == 409
    assert repeat.json()["error"]["code"] == "already_enrolled"
    count = api.call("GET", f"/courses/{course['courseId']}")
    assert eventually(
        lambda: (
            api.call("GET", f"/courses/{course['courseId']}").json()["data"]["enrollmentCount"] == 1
        )
    )
    assert count.status_code == 200

    granted = api.stream(student, course["courseId"], "welcome").json()["data"]
    assert requests.get(granted["url"], timeout=10).content == LESSON_MP4
    chapters = [c["chapterId"] for c in course["sections"][0]["chapters"]]
    for chapter_id in chapters:
        watched = api.report(
            student, course["courseId"], "intro", [{"chapterId": chapter_id, "watchedPercent": 85}]
        )
        assert watched.status_code == 200, watched.text
    finished = watched.json()["data"]
    assert finished["overallProgress"] == 100 and finished["completedAt"]

    book_the_teacher_and_both_join(api, teacher, student, course["courseId"])


def book_the_teacher_and_both_join(api: Api, teacher: User, student: User, course_id: str) -> None:
    """Flow 4 for the student who just bought the course."""
    always = [{"day": d, "start": "00:00", "end": "24:00"} for d in range(7)]
    availability = {"timezone": "Asia/Kolkata", "weekly": always, "slotMinutes": 15,
                    "bufferMinutes": 0, "minNoticeHours": 0, "maxDaysAhead": 7}  # fmt: skip
    assert (
        api.call("PUT", "/mentorship/availability", teacher, json=availability).status_code == 200
    )
    slots = api.call("GET", f"/mentorship/availability/{teacher.user_id}/slots", student)
    body = {
        "teacherId": teacher.user_id,
        "courseId": course_id,
        "date": slots.json()["data"][0]["start"],
    }
    booked = eventually(
        lambda: (r := api.call("POST", "/mentorship", student, json=body)).status_code == 201 and r
    )
    session_id = booked.json()["data"]["sessionId"]
    for participant in (student, teacher):
        grant = api.call("GET", f"/mentorship/token/{session_id}", participant)
        assert grant.status_code == 200, grant.text
        assert grant.json()["data"]["channelName"] == session_id


def test_free_course_enrolls_without_cashfree(api: Api) -> None:
    teacher = api.onboard("teacher")
    course = api.published_course(teacher, price=0)
    student = api.onboard("student")
    order = api.create_order(student, course["courseId"])
    assert order["order_status"] == "PAID"
    enrolled = eventually(lambda: api.enrolled_courses(student))
    assert enrolled[0]["courseId"] == course["courseId"]


def test_a_course_with_students_is_archived_not_deleted(api: Api) -> None:
    teacher = api.onboard("teacher")
    course = video_course(api, teacher)
    course_id = course["courseId"]
    student = api.onboard("student")
    order = api.create_order(student, course_id)
    api.pay(order["order_id"])
    eventually(
        lambda: api.call("GET", f"/courses/{course_id}").json()["data"]["enrollmentCount"] == 1
    )

    archived = api.call("DELETE", f"/courses/{course_id}", teacher)
    assert archived.status_code == 200 and archived.json()["data"]["status"] == "Archived"
    eventually(lambda: course_id not in api.listed(), timeout=1.0, every=0.05)
    assert api.call("GET", f"/courses/{course_id}").status_code == 404
    assert api.call("GET", f"/courses/{course_id}", api.onboard("student")).status_code == 404
    assert welcome_video(api, course_id, student), "enrolled students keep their course"
    assert api.call("GET", f"/courses/{course_id}", teacher).json()["data"]["status"] == "Archived"
    edit = api.call("PUT", f"/courses/{course_id}", teacher, json={"title": "Back"})
    assert edit.status_code == 409 and edit.json()["error"]["code"] == "course_archived"
    again = api.call("DELETE", f"/courses/{course_id}", teacher)
    assert again.status_code == 200 and again.json()["data"]["status"] == "Archived"
    refused = api.call(
        "POST", "/api/payments/create-order", api.onboard("student"), json={"courseId": course_id}
    )
    assert refused.status_code in (404, 409), refused.text


def test_drafts_never_reach_the_catalog(api: Api) -> None:
    teacher = api.onboard("teacher")
    draft = api.call("POST", "/courses", teacher).json()["data"]
    listed = [c["courseId"] for c in api.call("GET", "/courses?limit=100").json()["data"]]
    assert draft["courseId"] not in listed
    assert api.call("GET", f"/courses/{draft['courseId']}").status_code == 404
    assert api.call("GET", f"/courses/{draft['courseId']}", teacher).status_code == 200
    student = api.onboard("student")
    refused = api.call(
        "POST", "/api/payments/create-order", student, json={"courseId": draft["courseId"]}
    )
    assert refused.status_code == 404
