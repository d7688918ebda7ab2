"""A refund ends everything it bought, and a student holds at most three upcoming sessions with
one teacher: the attacks, through the gateway."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from shared.clock import iso, now_iso, parse_iso
from shared.config import load_settings
from shared.events.contracts import EnrollmentRevoked
from shared.events.envelope import wrap
from shared.messaging.celery_app import make_publisher_app
from shared.messaging.publisher import Publisher
from tests.helpers import Api, User, eventually
from tests.test_chat import drain, open_socket, ws_url
from tests.test_mentorship import availability, book, book_probe, slots
from tests.test_notifications import email_of, inbox
from tests.test_refunds import ask_refund, refund_status

LIMIT = 3
"""MAX_UPCOMING_SESSIONS_PER_TEACHER's default."""


@pytest.fixture
def buyer(api: Api) -> dict[str, Any]:
    """A student who paid for a teacher's course; the teacher is open all day."""
    teacher = api.onboard("teacher", name="Rita Refund")
    course_id = api.published_course(teacher, price=49900)["courseId"]
    saved = api.call("PUT", "/mentorship/availability", teacher, json=availability())
    assert saved.status_code == 200, saved.text
    student = api.onboard("student", name="Sid Student")
    order_id = api.create_order(student, course_id)["order_id"]
    api.pay(order_id)
    mentor = {"teacher": teacher, "course": course_id, "student": student, "order": order_id}
    eventually(lambda: book_probe(api, student, mentor))
    return mentor


@pytest.fixture
def mentor(api: Api) -> dict[str, Any]:
    """A student enrolled in a teacher's free course; the teacher is open all day."""
    teacher = api.onboard("teacher")
    course_id = api.published_course(teacher, price=0)["courseId"]
    saved = api.call("PUT", "/mentorship/availability", teacher, json=availability())
    assert saved.status_code == 200, saved.text
    student = api.enrolled_student(course_id)
    mentor = {"teacher": teacher, "course": course_id, "student": student}
    eventually(lambda: book_probe(api, student, mentor))
    return mentor


def booked(api: Api, mentor: dict[str, Any], start: str) -> dict[str, Any]:
    response = book(api, mentor["student"], mentor["teacher"], mentor["course"], start)
    assert response.status_code == 201, response.text
    session: dict[str, Any] = response.json()["data"]
    return session


def starts_from(api: Api, mentor: dict[str, Any], days: float, count: int) -> list[str]:
    """The first `count` free slots from `days` from now (past the cancellation window)."""
    since = datetime.now(UTC) + timedelta(days=days)
    found = slots(api, mentor["student"], mentor["teacher"], **{"from": iso(since)})
    return [s["start"] for s in found[:count]]


def status_of(api: Api, user: User, session_id: str) -> str:
    response = api.call("GET", f"/mentorship/{session_id}", user)
    assert response.status_code == 200, response.text
    status: str = response.json()["data"]["status"]
    return status


def token(api: Api, user: User, session_id: str) -> requests.Response:
    return api.call("GET", f"/mentorship/token/{session_id}", user)


def handshake(base: str, session_id: str, user: User) -> tuple[int, str]:
    """(101, "") when admitted, else the refusal's status and error code."""
    try:
        with connect(ws_url(base, session_id, user.token), open_timeout=10):
            pass
    except InvalidStatus as refusal:
        answer = refusal.response
        return answer.status_code, json.loads(answer.body or b"{}")["error"]["code"]
    return 101, ""


def both_cancelled(api: Api, user: User) -> list[dict[str, Any]] | None:
    """The user's two cancellation mails, once both arrived."""
    mails = [m for m in inbox(api, email_of(user)) if m["subject"].startswith("Session cancelled")]
    return mails if len(mails) == 2 else None


def test_a_refund_cancels_the_upcoming_sessions_and_closes_video_chat_and_booking(
    api: Api, buyer: dict[str, Any], stack_urls: dict[str, str]
) -> None:
    student, teacher, gateway = buyer["student"], buyer["teacher"], stack_urls["gateway"]
    now = datetime.now(UTC)
    free = slots(api, student, teacher)
    # joinable now (the test stack opens video 20 minutes ahead), and not starting too soon
    soon = next(
        s["start"] for s in free if 300 < (parse_iso(s["start"]) - now).total_seconds() <= 1200
    )
    sessions = [booked(api, buyer, soon), booked(api, buyer, starts_from(api, buyer, 2, 1)[0])]
    ids = [s["sessionId"] for s in sessions]
    assert token(api, student, ids[0]).status_code == 200
    eventually(lambda: api.call("GET", f"/mentorship/chat/{ids[0]}", student).status_code == 200)

    with open_socket(gateway, ids[0], student) as live:
        response = ask_refund(api, student, buyer["order"])
        assert response.status_code == 202, response.text
        assert eventually(lambda: refund_status(api, student, buyer["order"]) == "SUCCESS")
        assert eventually(lambda: [status_of(api, student, i) for i in ids] == ["cancelled"] * 2)
        with pytest.raises(ConnectionClosed) as closed:
            drain(live)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4410

    for user in (student, teacher):
        answer = token(api, user, ids[0])
        assert (answer.status_code, answer.json()["error"]["code"]) == (409, "not_joinable")
    assert eventually(lambda: handshake(gateway, ids[0], student) == (409, "room_closed"))
    again = book(api, student, teacher, buyer["course"], soon)
    assert (again.status_code, again.json()["error"]["code"]) == (403, "not_enrolled")
    assert soon in [s["start"] for s in slots(api, teacher, teacher)], "the slot is free again"

    mails = eventually(lambda: both_cancelled(api, student))
    assert all("your access to the course ended" in m["text"] for m in mails)
    to_teacher = eventually(lambda: both_cancelled(api, teacher))
    assert all("Sid Student's access to the course ended" in m["text"] for m in to_teacher)


def test_chat_refuses_a_student_whose_access_ended_before_the_session_was_cancelled(
    api: Api, mentor: dict[str, Any], stack_urls: dict[str, str], stack_env: dict[str, str]
) -> None:
    """Events are not ordered: chat may learn of the revocation before the cancellation."""
    student, teacher, gateway = mentor["student"], mentor["teacher"], stack_urls["gateway"]
    session_id = booked(api, mentor, starts_from(api, mentor, 1, 1)[0])["sessionId"]
    eventually(
        lambda: api.call("GET", f"/mentorship/chat/{session_id}", student).status_code == 200
    )
    assert handshake(gateway, session_id, student) == (101, ""), "still enrolled: admitted"

    revoked = EnrollmentRevoked(
        user_id=student.user_id, course_id=mentor["course"], reason="refund", revoked_at=now_iso()
    )
    publisher = Publisher(make_publisher_app(load_settings("enrollment", stack_env)))
    publisher.send_to("chat", wrap(revoked, producer="enrollment"))

    assert eventually(lambda: handshake(gateway, session_id, student) == (403, "not_enrolled"))
    assert handshake(gateway, session_id, teacher) == (101, ""), "the teacher always is"


def test_a_fourth_upcoming_session_with_one_teacher_is_refused_until_one_is_cancelled(
    api: Api, mentor: dict[str, Any]
) -> None:
    student, teacher = mentor["student"], mentor["teacher"]
    *held, fourth = starts_from(api, mentor, 1, LIMIT + 1)
    first, *_ = (booked(api, mentor, start) for start in held)

    over = book(api, student, teacher, mentor["course"], fourth)
    assert (over.status_code, over.json()["error"]["code"]) == (409, "booking_limit_reached")
    cancel = api.call(
        "PATCH", f"/mentorship/{first['sessionId']}", student, json={"status": "cancelled"}
    )
    assert cancel.status_code == 200, cancel.text
    assert booked(api, mentor, fourth)["status"] == "scheduled"


def test_concurrent_bookings_of_different_slots_never_leave_more_than_three_upcoming(
    api: Api, mentor: dict[str, Any]
) -> None:
    student, teacher = mentor["student"], mentor["teacher"]
    starts = starts_from(api, mentor, 1, 12)

    def attempt(start: str) -> tuple[int, str | None]:
        response = book(api, student, teacher, mentor["course"], start)
        code = response.json()["error"]["code"] if response.status_code >= 400 else None
        return response.status_code, code

    with ThreadPoolExecutor(len(starts)) as pool:
        answers = list(pool.map(attempt, starts))

    assert sorted(answers, key=str) == sorted(
        [(201, None)] * LIMIT + [(409, "booking_limit_reached")] * (len(starts) - LIMIT), key=str
    )
    listed = api.call("GET", f"/mentorship/user/{student.user_id}?type=student&limit=100", student)
    assert [s["status"] for s in listed.json()["data"]] == ["scheduled"] * LIMIT
