"""Flow 3 through the gateway: stream, report progress, complete; access rules; refunds."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
import requests

from shared.config import load_settings
from shared.events.contracts import RefundSucceeded
from shared.events.envelope import wrap
from shared.messaging.celery_app import make_publisher_app
from shared.messaging.publisher import Publisher
from tests.helpers import LESSON_MP4, Api, User, eventually


def buy(api: Api, student: User, course_id: str) -> str:
    order = api.create_order(student, course_id)
    api.pay(order["order_id"])
    eventually(lambda: api.stream(student, course_id, "v2").status_code == 200)
    return str(order["order_id"])


@pytest.fixture
def course(api: Api) -> dict[str, Any]:
    teacher = api.onboard("teacher")
    return {"teacher": teacher, "id": api.video_course(teacher)}


def test_student_streams_reports_85_percent_and_completes_the_course(
    api: Api, course: dict[str, Any]
) -> None:
    student = api.onboard("student")
    assert api.stream(student, course["id"], "v2").status_code == 403
    buy(api, student, course["id"])
    granted = api.stream(student, course["id"], "v2").json()["data"]
    assert requests.get(granted["url"], timeout=10).content == LESSON_MP4
    assert granted["expiresAt"].endswith("Z")

    halfway = api.report(
        student,
        course["id"],
        "s1",
        [{"chapterId": "v1", "watchedPercent": 50, "positionSeconds": 31}],
    ).json()["data"]
    assert halfway["overallProgress"] == 0 and halfway["lastChapterId"] == "v1"
    assert halfway["sections"][0]["chapters"][0]["positionSeconds"] == 31
    for chapter_id in ("v1", "v2"):
        done = api.report(
            student, course["id"], "s1", [{"chapterId": chapter_id, "watchedPercent": 85}]
        )
        assert done.status_code == 200, done.text
    progress = api.call(
        "GET", f"/users/course-progress/{student.user_id}/courses/{course['id']}", student
    ).json()["data"]
    assert progress["overallProgress"] == 100 and progress["completedAt"]
    assert [c["completed"] for c in progress["sections"][0]["chapters"]] == [True, True]


def test_who_may_stream(api: Api, course: dict[str, Any]) -> None:
    assert api.stream(None, course["id"], "v1").status_code == 200, "free preview for anyone"
    assert api.stream(None, course["id"], "v2").status_code == 401
    assert api.stream(api.onboard("student"), course["id"], "v2").status_code == 403
    assert api.stream(course["teacher"], course["id"], "v2").status_code == 200
    assert api.stream(course["teacher"], course["id"], "nope").status_code == 404
    assert api.stream(course["teacher"], "no-such-course", "v1").status_code == 404


def test_progress_is_the_students_own(api: Api, course: dict[str, Any]) -> None:
    student, other = api.onboard("student"), api.onboard("student")
    buy(api, student, course["id"])
    path = f"/users/course-progress/{student.user_id}/courses/{course['id']}"
    assert api.call("GET", path, other).status_code == 403
    body = {"sections": [{"sectionId": "s1", "chapters": [{"chapterId": "v1", "completed": True}]}]}
    assert api.call("PUT", path, other, json=body).status_code == 403
    own = f"/users/course-progress/{other.user_id}/courses/{course['id']}"
    refused = api.call("PUT", own, other, json=body)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_enrolled"
    forged = api.call("PUT", path, student, json={**body, "userId": other.user_id})
    assert forged.status_code == 403
    unknown = api.report(student, course["id"], "s1", [{"chapterId": "ghost", "completed": True}])
    assert unknown.status_code == 400
    assert "sections[0].chapters[0].chapterId" in unknown.json()["error"]["details"]


def test_a_chapter_added_after_enrollment_lowers_overall_progress(
    api: Api, course: dict[str, Any]
) -> None:
    student = api.onboard("student")
    buy(api, student, course["id"])
    for chapter_id in ("v1", "v2"):
        api.report(student, course["id"], "s1", [{"chapterId": chapter_id, "completed": True}])
    teacher = course["teacher"]
    current = api.call("GET", f"/courses/{course['id']}", teacher).json()["data"]
    current["sections"][0]["chapters"].append({"type": "Text", "title": "Bonus", "content": "…"})
    grown = api.call(
        "PUT", f"/courses/{course['id']}", teacher, json={"sections": current["sections"]}
    )
    assert grown.status_code == 200, grown.text

    def overall() -> int:
        path = f"/users/course-progress/{student.user_id}/courses/{course['id']}"
        value: int = api.call("GET", path, student).json()["data"]["overallProgress"]
        return value

    assert eventually(lambda: overall() == 67)


def test_a_refund_revokes_streaming_and_keeps_progress(
    api: Api, course: dict[str, Any], stack_env: dict[str, str]
) -> None:
    student = api.onboard("student")
    order_id = buy(api, student, course["id"])
    api.report(student, course["id"], "s1", [{"chapterId": "v1", "watchedPercent": 90}])
    refund = RefundSucceeded(
        order_id=order_id,
        refund_id="rf_1",
        user_id=student.user_id,
        course_id=course["id"],
        amount=9900,
        currency="INR",
        refunded_at="2026-11-25T10:00:00Z",
    )
    publisher = Publisher(make_publisher_app(load_settings("billing", stack_env)))
    publisher.publish(wrap(refund, producer="billing"))
    publisher.publish(wrap(refund, producer="billing"))  # a redelivery changes nothing more
    eventually(lambda: api.stream(student, course["id"], "v2").status_code == 403)
    assert api.stream(student, course["id"], "v1").status_code == 200, "free preview stays"

    analytics = api.call(
        "GET", f"/teacher/analytics/courses/{course['id']}?format=csv", course["teacher"]
    )
    assert analytics.status_code == 200
    [row] = list(csv.DictReader(io.StringIO(analytics.text)))
    assert (row["userId"], row["status"], row["v1.completed"]) == (student.user_id, "REVOKED", "1")


def test_teacher_analytics_through_the_gateway(api: Api, course: dict[str, Any]) -> None:
    keen, idle = api.onboard("student"), api.onboard("student")
    for student in (keen, idle):
        buy(api, student, course["id"])
    api.report(keen, course["id"], "s1", [{"chapterId": "v1", "watchedPercent": 100}])
    api.report(keen, course["id"], "s1", [{"chapterId": "v2", "watchedPercent": 40}])
    api.report(idle, course["id"], "s1", [{"chapterId": "v1", "positionSeconds": 3}])
    path = f"/teacher/analytics/courses/{course['id']}"
    report = api.call("GET", path, course["teacher"]).json()["data"]
    # keen: v1 done, v2 at 40 % -> 50 %; idle: v1 opened -> 0 %; mean 25.0, nobody finished
    assert report["enrollments"] == {"total": 2, "active": 2, "revoked": 0}
    assert (report["averageProgress"], report["completionRate"]) == (25.0, 0.0)
    funnel = {c["chapterId"]: c for c in report["chapterFunnel"]}
    assert (funnel["v1"]["started"], funnel["v1"]["completed"], funnel["v1"]["dropOff"]) == (
        2,
        1,
        1,
    )
    assert (funnel["v2"]["started"], funnel["v2"]["completed"], funnel["v2"]["dropOffRate"]) == (
        1,
        0,
        100.0,
    )
    assert sum(d["enrollments"] for d in report["enrollmentsOverTime"]) == 2

    rows = list(
        csv.DictReader(io.StringIO(api.call("GET", f"{path}?format=csv", course["teacher"]).text))
    )
    progress = {r["userId"]: int(r["overallProgress"]) for r in rows}
    assert progress == {keen.user_id: 50, idle.user_id: 0}
    assert api.call("GET", path, api.onboard("teacher")).status_code == 403
    assert api.call("GET", path, keen).status_code == 403
    assert api.call("GET", f"{path}?format=xml", course["teacher"]).status_code == 400
