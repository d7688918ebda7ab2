"""The analytics reader against a real table: one course's enrollments over pages, its progress."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from enrollment.adapters import keys
from enrollment.adapters.course_progress import CourseProgressReader, course_progress_reader
from shared.config import Settings, load_settings
from shared.dynamo.client import dynamodb_client
from shared.dynamo.codec import serialize
from shared.dynamo.tables import ensure_table

COURSE, OTHER = "course-a", "course-b"


class CountingClient:
    """The real client, counting the Query calls made through it."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.queries = 0

    def query(self, **request: Any) -> Any:
        self.queries += 1
        return self.client.query(**request)


@pytest.fixture
def settings() -> Settings:
    return load_settings("enrollment", {**os.environ, "TABLE_PREFIX": f"t{uuid.uuid4().hex[:8]}-"})


@pytest.fixture
def client(settings: Settings) -> Iterator[Any]:
    client = dynamodb_client(settings.aws)
    ensure_table(client, settings.table_name())
    yield client
    client.delete_table(TableName=settings.table_name())


@pytest.fixture
def counting(client: Any) -> CountingClient:
    return CountingClient(client)


@pytest.fixture
def reader(settings: Settings, counting: CountingClient) -> CourseProgressReader:
    return course_progress_reader(settings, counting, page_size=2)


def put(client: Any, table: str, item: dict[str, Any]) -> None:
    client.put_item(TableName=table, Item=serialize(item))


def enroll(
    client: Any, table: str, user_id: str, course_id: str, at: str, status: str = "ACTIVE"
) -> None:
    put(
        client,
        table,
        {
            **keys.enrollment_key(user_id, course_id),
            **keys.course_enrollments(course_id, at, user_id),
            "userId": user_id,
            "courseId": course_id,
            "orderId": f"order-{user_id}-{course_id}",
            "enrolledAt": at,
            "status": status,
        },
    )


def record_progress(
    client: Any, table: str, user_id: str, course_id: str, chapters: dict[str, Any], last: str
) -> None:
    put(
        client,
        table,
        {
            **keys.progress_key(user_id, course_id),
            "userId": user_id,
            "courseId": course_id,
            "chapters": chapters,
            "lastAccessedTimestamp": last,
        },
    )


A_PROGRESS = {
    "u1": {"c1": {"completed": True, "completedAt": "2024-03-02T00:00:00Z"}},
    "u2": {"c1": {"completed": False, "watchedPercent": 12.5, "positionSeconds": 30}},
    "u3": {},
    "u4": {"c1": {"completed": False, "watchedPercent": 50}},
}


@pytest.fixture
def two_courses(client: Any, settings: Settings) -> None:
    table = settings.table_name()
    enroll(client, table, "u1", COURSE, "2024-03-01T08:00:00Z")
    enroll(client, table, "u2", COURSE, "2024-03-01T09:00:00Z")
    enroll(client, table, "u3", COURSE, "2024-03-02T08:00:00Z", status="REVOKED")
    enroll(client, table, "u4", COURSE, "2024-03-03T08:00:00Z")
    enroll(client, table, "u5", COURSE, "2024-03-03T09:00:00Z")  # no progress item
    for user_id, chapters in A_PROGRESS.items():
        record_progress(client, table, user_id, COURSE, chapters, "2024-03-04T00:00:00Z")
    enroll(client, table, "u1", OTHER, "2024-03-01T10:00:00Z")
    enroll(client, table, "u9", OTHER, "2024-03-01T11:00:00Z")
    record_progress(client, table, "u1", OTHER, {"x1": {"completed": True}}, "2024-03-09T00:00:00Z")
    record_progress(client, table, "u9", OTHER, {"x1": {"completed": True}}, "2024-03-09T00:00:00Z")


@pytest.mark.usefixtures("two_courses")
def test_enrollments_are_one_course_read_over_several_pages(
    reader: CourseProgressReader, counting: CountingClient
) -> None:
    frame = reader.enrollments(COURSE)

    assert list(frame.columns) == ["userId", "status", "enrolledAt"]
    assert frame.to_dict("records") == [
        {"userId": "u1", "status": "ACTIVE", "enrolledAt": "2024-03-01T08:00:00Z"},
        {"userId": "u2", "status": "ACTIVE", "enrolledAt": "2024-03-01T09:00:00Z"},
        {"userId": "u3", "status": "REVOKED", "enrolledAt": "2024-03-02T08:00:00Z"},
        {"userId": "u4", "status": "ACTIVE", "enrolledAt": "2024-03-03T08:00:00Z"},
        {"userId": "u5", "status": "ACTIVE", "enrolledAt": "2024-03-03T09:00:00Z"},
    ]
    assert counting.queries >= 3  # five items, two a page


@pytest.mark.usefixtures("two_courses")
def test_progress_is_the_course_items_of_those_users(reader: CourseProgressReader) -> None:
    users = reader.enrollments(COURSE)["userId"].tolist()

    frame = reader.progress(COURSE, [*users, "u1"])  # a repeated user is asked for once

    assert list(frame.columns) == ["userId", "chapters", "lastAccessedTimestamp"]
    by_user = frame.set_index("userId")
    assert sorted(by_user.index) == ["u1", "u2", "u3", "u4"]  # u5 has no item; u9 is not asked
    assert by_user["chapters"].to_dict() == A_PROGRESS
    assert set(by_user["lastAccessedTimestamp"]) == {"2024-03-04T00:00:00Z"}


@pytest.mark.usefixtures("two_courses")
def test_a_course_without_enrollments_gives_empty_frames(reader: CourseProgressReader) -> None:
    enrollments = reader.enrollments("course-nobody")
    progress = reader.progress("course-nobody", enrollments["userId"].tolist())

    assert (enrollments.empty, list(enrollments.columns)) == (
        True,
        ["userId", "status", "enrolledAt"],
    )
    assert (progress.empty, list(progress.columns)) == (
        True,
        ["userId", "chapters", "lastAccessedTimestamp"],
    )


@pytest.mark.usefixtures("two_courses")
def test_progress_of_users_without_items_keeps_the_columns(reader: CourseProgressReader) -> None:
    progress = reader.progress(COURSE, ["u5"])

    assert (progress.empty, list(progress.columns)) == (
        True,
        ["userId", "chapters", "lastAccessedTimestamp"],
    )
