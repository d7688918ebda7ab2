"""Flow 4 through the gateway: availability, booking races, lifecycle, invites, video tokens."""

from __future__ import annotations

import itertools
import random
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from shared.clock import parse_iso
from tests.helpers import Api, User, eventually

ALWAYS = [{"day": day, "start": "00:00", "end": "24:00"} for day in range(7)]


def availability(**overrides: Any) -> dict[str, Any]:
    return {
        "timezone": "UTC",
        "weekly": ALWAYS,
        "slotMinutes": 15,
        "bufferMinutes": 0,
        "minNoticeHours": 0,
        "maxDaysAhead": 30,
        "exceptions": [],
        **overrides,
    }


def slots(api: Api, viewer: User, teacher: User, **params: Any) -> list[dict[str, str]]:
    response = api.call(
        "GET", f"/mentorship/availability/{teacher.user_id}/slots", viewer, params=params
    )
    assert response.status_code == 200, response.text
    found: list[dict[str, str]] = response.json()["data"]
    return found


def book(api: Api, student: User, teacher: User, course_id: str, start: str) -> requests.Response:
    body = {"teacherId": teacher.user_id, "courseId": course_id, "date": start}
    return api.call("POST", "/mentorship", student, json=body)


@pytest.fixture
def mentor(api: Api) -> dict[str, Any]:
    """A teacher with a free course that mentorship already knows, open all day."""
    teacher = api.onboard("teacher", name="Maya Mentor")
    course = api.published_course(teacher, price=0)
    saved = api.call("PUT", "/mentorship/availability", teacher, json=availability())
    assert saved.status_code == 200, saved.text
    student = api.enrolled_student(course["courseId"])
    eventually(lambda: slots(api, student, teacher, courseId=course["courseId"]))
    return {"teacher": teacher, "course": course["courseId"], "student": student}


def booked(
    api: Api, mentor: dict[str, Any], student: User | None = None, index: int = 0
) -> dict[str, Any]:
    student = student or mentor["student"]
    start = slots(api, student, mentor["teacher"])[index]["start"]
    response = eventually(
        lambda: (
            (r := book(api, student, mentor["teacher"], mentor["course"], start)).status_code == 201
            and r
        )
    )
    session: dict[str, Any] = response.json()["data"]
    return session


def test_the_enrolled_student_books_and_both_get_tokens(api: Api, mentor: dict[str, Any]) -> None:
    teacher, student = mentor["teacher"], mentor["student"]
    session = booked(api, mentor)
    assert session["status"] == "scheduled" and session["teacherName"] == "Maya Mentor"
    taken = slots(api, student, teacher)
    assert session["date"] not in [s["start"] for s in taken]

    grants = [
        api.call("GET", f"/mentorship/token/{session['sessionId']}", who)
        for who in (student, teacher)
    ]
    assert [g.status_code for g in grants] == [200, 200], grants[0].text
    student_grant, teacher_grant = (g.json()["data"] for g in grants)
    assert student_grant["channelName"] == session["sessionId"] and student_grant[
        "token"
    ].startswith("006")
    assert student_grant["uid"] != teacher_grant["uid"] and 0 < student_grant["uid"] < 2**32
    assert parse_iso(student_grant["expiresAt"]) == parse_iso(session["endsAt"]) + timedelta(
        minutes=10
    )

    stranger = api.onboard("student")
    assert api.call("GET", f"/mentorship/token/{session['sessionId']}", stranger).status_code == 404
    assert api.call("GET", f"/mentorship/{session['sessionId']}/ics", stranger).status_code == 404

    invite = api.call("GET", f"/mentorship/{session['sessionId']}/ics", student)
    assert invite.status_code == 200 and invite.headers["Content-Type"].startswith("text/calendar")
    start = parse_iso(session["date"]).strftime("%Y%m%dT%H%M%SZ")
    assert f"DTSTART:{start}" in invite.text and "\r\n" in invite.text

    for who, role in ((student, "student"), (teacher, "teacher")):
        listed = api.call("GET", f"/mentorship/user/{who.user_id}?type={role}", who).json()["data"]
        assert session["sessionId"] in [s["sessionId"] for s in listed]
    assert api.call("GET", f"/mentorship/user/{student.user_id}", teacher).status_code == 403


def test_fifty_concurrent_bookings_of_one_slot_one_wins(api: Api, mentor: dict[str, Any]) -> None:
    students = [mentor["student"], *(api.enrolled_student(mentor["course"]) for _ in range(9))]
    start = slots(api, students[0], mentor["teacher"])[3]["start"]
    eventually(lambda: all(book_probe(api, s, mentor) for s in students))
    with ThreadPoolExecutor(50) as pool:
        answers = list(
            pool.map(
                lambda i: (
                    book(
                        api, students[i % 10], mentor["teacher"], mentor["course"], start
                    ).status_code
                ),
                range(50),
            )
        )
    assert sorted(answers) == [201] + [409] * 49


def book_probe(api: Api, student: User, mentor: dict[str, Any]) -> bool:
    """The student's enrollment has reached mentorship: a booking is refused for another reason."""
    response = book(api, student, mentor["teacher"], mentor["course"], "2020-01-01T00:00:00Z")
    return response.status_code == 400


def grid_starts(step_minutes: int, count: int) -> list[str]:
    """The next starts of a grid stepping `step_minutes` from midnight UTC."""
    now = datetime.now(UTC)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    step = timedelta(minutes=step_minutes)
    first = (now - midnight) // step + 1
    return [(midnight + (first + i) * step).isoformat() for i in range(count)]


def overlapping(sessions: list[dict[str, Any]], buffer: timedelta) -> list[tuple[str, str]]:
    ranges = sorted(
        (parse_iso(s["date"]), parse_iso(s["endsAt"]) + buffer, s["sessionId"]) for s in sessions
    )
    return [(a[2], b[2]) for a, b in itertools.pairwise(ranges) if b[0] < a[1]]


def test_a_randomized_concurrent_run_leaves_no_overlapping_sessions(
    api: Api, mentor: dict[str, Any]
) -> None:
    teacher = mentor["teacher"]
    students = [mentor["student"], *(api.enrolled_student(mentor["course"]) for _ in range(5))]
    eventually(lambda: all(book_probe(api, s, mentor) for s in students))
    rng = random.Random(7)
    for slot, buffer in ((30, 15), (20, 5)):
        grid = availability(slotMinutes=slot, bufferMinutes=buffer)
        assert api.call("PUT", "/mentorship/availability", teacher, json=grid).status_code == 200
        # the raw grid, booked or not: the second one overlaps sessions of the first
        starts = grid_starts(slot + buffer, count=8)

        def attempt(_: int, starts: list[str] = starts) -> int:
            student = rng.choice(students)
            return book(api, student, teacher, mentor["course"], rng.choice(starts)).status_code

        with ThreadPoolExecutor(24) as pool:
            assert set(pool.map(attempt, range(40))) <= {201, 400, 409}
    sessions = api.call(
        "GET", f"/mentorship/user/{teacher.user_id}?type=teacher&limit=100", teacher
    ).json()["data"]
    scheduled = [s for s in sessions if s["status"] == "scheduled"]
    assert len(scheduled) >= 4
    assert overlapping(scheduled, timedelta(minutes=5)) == [], "5 min is the smaller buffer"


def test_booking_is_refused_for_the_wrong_people_and_times(
    api: Api, mentor: dict[str, Any]
) -> None:
    teacher, student, course = mentor["teacher"], mentor["student"], mentor["course"]
    start = slots(api, student, teacher)[0]["start"]
    outsider = api.onboard("student")
    refused = book(api, outsider, teacher, course, start)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_enrolled"
    other_teacher = api.onboard("teacher")
    wrong = book(api, student, other_teacher, course, start)
    assert wrong.status_code == 400 and "teacherId" in wrong.json()["error"]["details"]
    past = book(api, student, teacher, course, "2020-01-01T10:00:00Z")
    assert past.status_code == 400 and "date" in past.json()["error"]["details"]
    off_grid = (parse_iso(start) + timedelta(minutes=7)).isoformat()
    assert book(api, student, teacher, course, off_grid).status_code == 400
    forged = api.call(
        "POST", "/mentorship", student,
        json={"studentId": outsider.user_id, "teacherId": teacher.user_id, "courseId": course, "date": start},
    )  # fmt: skip
    assert forged.status_code == 403
    assert book(api, teacher, teacher, course, start).status_code == 403, "teachers don't book"
    bad = api.call(
        "PUT", "/mentorship/availability", teacher, json=availability(timezone="Mars/Olympus")
    )
    assert bad.status_code == 400 and "timezone" in bad.json()["error"]["details"]
    assert (
        api.call("PUT", "/mentorship/availability", student, json=availability()).status_code == 403
    )


def test_the_lifecycle_allows_only_legal_transitions(api: Api, mentor: dict[str, Any]) -> None:
    teacher, student = mentor["teacher"], mentor["student"]
    soon = booked(api, mentor)
    path = f"/mentorship/{soon['sessionId']}"
    too_late = api.call("PATCH", path, student, json={"status": "cancelled"})
    assert too_late.status_code == 409, "inside the 12-hour window"
    assert api.call("PATCH", path, student, json={"status": "completed"}).status_code == 403
    early = api.call("PATCH", path, teacher, json={"status": "completed"})
    assert early.status_code == 409 or parse_iso(soon["date"]) <= datetime.now(
        parse_iso(soon["date"]).tzinfo
    )
    assert api.call("PATCH", path, student, json={"status": "scheduled"}).status_code == 409
    assert api.call("PATCH", path, student, json={"status": "paused"}).status_code == 400

    later = slots(
        api,
        student,
        teacher,
        **{"from": (datetime.now(parse_iso(soon["date"]).tzinfo) + timedelta(days=2)).isoformat()},
    )[0]
    session = book(api, student, teacher, mentor["course"], later["start"]).json()["data"]
    cancelled = api.call(
        "PATCH", f"/mentorship/{session['sessionId']}", teacher, json={"status": "cancelled"}
    )
    assert cancelled.status_code == 200 and cancelled.json()["data"]["status"] == "cancelled"
    again = api.call(
        "PATCH", f"/mentorship/{session['sessionId']}", student, json={"status": "cancelled"}
    )
    assert again.status_code == 409
    freed = slots(api, student, teacher, **{"from": later["start"], "to": later["end"]})
    assert freed == [later], "a cancellation frees the slot"
    assert book(api, student, teacher, mentor["course"], later["start"]).status_code == 201
    token = api.call("GET", f"/mentorship/token/{session['sessionId']}", student)
    assert token.status_code == 409
