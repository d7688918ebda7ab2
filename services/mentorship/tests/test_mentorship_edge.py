"""The app's answers, as clients rely on them: each bad body or query named field by field, the
statuses and codes of mentorship's refusals, and a session's JSON and stored item field for
field."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from mentorship_world import ALWAYS, TEACHER, World, slot

from mentorship.adapters import keys
from mentorship.app import create_app
from shared.auth.principal import Principal
from shared.dynamo.reads import get_item

AVAILABILITY = {"timezone": "UTC", "weekly": ALWAYS, "slotMinutes": 30, "bufferMinutes": 0,
                "minNoticeHours": 0, "maxDaysAhead": 60}  # fmt: skip
SESSION_FIELDS = {"sessionId", "studentId", "teacherId", "courseId", "date", "endsAt", "status",
                  "studentName", "teacherName", "createdAt", "updatedAt"}  # fmt: skip


class TokenNamesCaller:
    """A verifier for which the token is `role:user id`."""

    def verify(self, token: str) -> Principal:
        role, _, user_id = token.partition(":")
        return Principal(user_id=user_id, role=role, token=token, claims={})  # type: ignore[arg-type]


@pytest.fixture
def client(world: World) -> Iterator[FlaskClient]:
    app = create_app(world.app.settings)
    app.extensions["mentorship"] = world.app
    app.extensions["token_verifier"] = TokenNamesCaller()
    with app.test_client() as test_client:
        yield test_client


def call(
    client: FlaskClient, method: str, path: str, caller: str, **kwargs: Any
) -> tuple[int, dict[str, Any]]:
    role = "teacher" if caller == TEACHER else "student"
    headers = {"Authorization": f"Bearer {role}:{caller}"}
    response = client.open(path, method=method, headers=headers, **kwargs)
    return response.status_code, response.get_json()


def problem(answer: tuple[int, dict[str, Any]]) -> tuple[int, str, str, set[str]]:
    status, body = answer
    details = body["error"]["details"] or {}
    return status, body["error"]["code"], body["message"], set(details)


INVALID_AVAILABILITY = "The availability has invalid fields."
INVALID = "The request has invalid fields."


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"timezone": "Mars/Olympus"}, {"timezone"}),
        ({"colour": "blue"}, {"colour"}),
        ({"slotMinutes": 32}, {"slotMinutes"}),
        ({"weekly": [{"day": 1, "start": "09:00", "end": "09:00"}]}, {"weekly[0].end"}),
        ({"exceptions": [{"date": "2026-02-30", "available": False}]}, {"exceptions[0].date"}),
        ({"exceptions": [{"date": "2026-03-01", "available": None}]}, {"exceptions[0].available"}),
        (
            {"exceptions": [{"date": "2026-03-01", "available": False, "start": None}]},
            {"exceptions[0].available"},
        ),
    ],
)
def test_a_bad_availability_names_its_fields(
    client: FlaskClient, changes: dict[str, Any], fields: set[str]
) -> None:
    answer = call(
        client, "PUT", "/mentorship/availability", TEACHER, json={**AVAILABILITY, **changes}
    )
    assert problem(answer) == (400, "validation_error", INVALID_AVAILABILITY, fields)


def test_availability_is_saved_and_read_back(client: FlaskClient) -> None:
    assert problem(call(client, "GET", "/mentorship/availability", TEACHER))[:2] == (
        404,
        "no_availability",
    )
    status, saved = call(client, "PUT", "/mentorship/availability", TEACHER, json=AVAILABILITY)
    assert status == 200 and saved["data"] == {**AVAILABILITY, "exceptions": []}
    assert call(client, "GET", "/mentorship/availability", TEACHER) == (
        200,
        {"message": "Availability retrieved", "data": saved["data"]},
    )
    assert problem(call(client, "PUT", "/mentorship/availability", TEACHER, data="[]"))[:2] == (
        400,
        "malformed_json",
    )


def test_the_slots_query_names_its_bad_parameters(client: FlaskClient, world: World) -> None:
    world.open_all_day()
    path = f"/mentorship/availability/{TEACHER}/slots"
    for query, fields in [
        ({"from": "9999-12-31T00:00:00Z"}, {"from"}),
        ({"from": "2026-01-01T00:00:00"}, {"from"}),
        ({"from": "2026-01-02T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, {"to"}),
        ({"courseId": "not an id"}, {"courseId"}),
    ]:
        answer = call(client, "GET", path, "user_sam", query_string=query)
        assert problem(answer) == (400, "validation_error", INVALID, fields), query
    response = client.get(
        path, query_string={"from": "", "courseId": ""}, headers={"Authorization": "Bearer s:u"}
    )
    assert response.status_code == 200 and response.headers["X-Teacher-Timezone"] == "UTC"


def test_a_booking_is_answered_as_before(client: FlaskClient, world: World) -> None:
    course = world.course()
    world.open_all_day()
    world.enroll("user_sam", course)
    start = slot(3).isoformat()
    body = {"teacherId": TEACHER, "courseId": course, "date": start}

    forged = call(client, "POST", "/mentorship", "user_sam", json={**body, "studentId": "user_x"})
    assert problem(forged)[:2] == (403, "not_self")
    assert problem(call(client, "POST", "/mentorship", "user_sam", json={})) == (
        400, "validation_error", INVALID, {"teacherId", "courseId", "date"}
    )  # fmt: skip
    for changes, fields in [
        ({"date": "0001-01-01T00:00:00+05:00"}, {"date"}),
        ({"date": "2020-01-01T10:00:00Z"}, {"date"}),
        ({"teacherId": "user_other"}, {"teacherId"}),
        ({"courseId": "no/such"}, {"courseId"}),
    ]:
        answer = call(client, "POST", "/mentorship", "user_sam", json={**body, **changes})
        assert problem(answer) == (400, "validation_error", INVALID, fields), changes
    stranger = call(client, "POST", "/mentorship", "user_ann", json=body)
    assert problem(stranger)[:2] == (403, "not_enrolled")

    status, booked = call(client, "POST", "/mentorship", "user_sam", json=body)
    assert status == 201 and set(booked["data"]) == SESSION_FIELDS
    again = call(client, "POST", "/mentorship", "user_sam", json=body)
    assert problem(again)[:2] == (409, "slot_taken")


def test_a_status_change_is_answered_as_before(client: FlaskClient, world: World) -> None:
    course = world.course()
    world.open_all_day()
    world.enroll("user_sam", course)
    session = world.book("user_sam", course, 30)
    path = f"/mentorship/{session.session_id}"

    paused = call(client, "PATCH", path, "user_sam", json={"status": "paused"})
    assert problem(paused) == (400, "validation_error", INVALID, {"status"})
    assert problem(call(client, "PATCH", path, "user_ann", json={"status": "cancelled"}))[:2] == (
        404,
        "session_not_found",
    )
    back = call(client, "PATCH", path, "user_sam", json={"status": "scheduled"})
    assert problem(back)[:2] == (409, "conflict")
    early = call(client, "PATCH", path, "user_sam", json={"status": "completed"})
    assert problem(early)[:2] == (403, "teacher_only")
    status, cancelled = call(client, "PATCH", path, TEACHER, json={"status": "cancelled"})
    assert (status, cancelled["message"], cancelled["data"]["status"]) == (
        200,
        "Session cancelled",
        "cancelled",
    )


def test_a_session_is_stored_and_shown_field_for_field(client: FlaskClient, world: World) -> None:
    course = world.course()
    world.open_all_day()
    world.enroll("user_sam", course)
    session = world.book("user_sam", course, 30)

    status, shown = call(client, "GET", f"/mentorship/{session.session_id}", "user_sam")
    assert status == 200 and shown["data"] == {
        "sessionId": session.session_id,
        "studentId": "user_sam",
        "teacherId": TEACHER,
        "courseId": course,
        "date": shown["data"]["date"],
        "endsAt": shown["data"]["endsAt"],
        "status": "scheduled",
        "studentName": "Sam",
        "teacherName": "Teacher",
        "createdAt": session.created_at,
        "updatedAt": session.updated_at,
    }
    assert session.ends_at - session.starts_at == timedelta(minutes=30)
    runtime = world.app.runtime
    stored = get_item(runtime.dynamodb, runtime.table, keys.session_key(session.session_id))
    assert stored is not None
    assert set(stored) - {"PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK"} == {
        "sessionId", "studentId", "teacherId", "courseId", "startsAt", "endsAt", "bufferMinutes",
        "studentName", "teacherName", "status", "createdAt", "updatedAt",
    }  # fmt: skip
    assert (stored["startsAt"], stored["endsAt"]) == (
        shown["data"]["date"],
        shown["data"]["endsAt"],
    )
