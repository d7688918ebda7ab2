"""Catalog's event handlers and search against a real table: counts, ordering, media, paging."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import redis

from catalog.adapters.listing_cache import ListingCache, RenderedPage
from catalog.adapters.repository import CourseRepository
from catalog.bootstrap import event_routing
from catalog.domain.model import Chapter, Course, Section, new_draft, revise
from shared.config import load_settings
from shared.dynamo.tables import ensure_table
from shared.events.contracts import (
    CourseUpdated,
    EnrollmentCreated,
    EnrollmentRevoked,
    MediaReleased,
)
from shared.events.envelope import wrap
from shared.messaging.consumer import HANDLED, Consumer
from shared.readmodels.memberships import Memberships
from shared.runtime import Runtime


@pytest.fixture
def runtime() -> Iterator[Runtime]:
    env = {**os.environ, "TABLE_PREFIX": f"t{uuid.uuid4().hex[:8]}-"}
    rt = Runtime(load_settings("catalog", env))
    ensure_table(rt.dynamodb, rt.table)
    yield rt
    rt.dynamodb.delete_table(TableName=rt.table)


@pytest.fixture
def courses(runtime: Runtime) -> CourseRepository:
    return CourseRepository(runtime.dynamodb, runtime.table)


@pytest.fixture
def listing() -> ListingCache:
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    return ListingCache(client, 60, namespace=f"test:{uuid.uuid4().hex}")


@pytest.fixture
def released() -> list[tuple[str, ...]]:
    return []


@pytest.fixture
def consumer(
    runtime: Runtime,
    courses: CourseRepository,
    listing: ListingCache,
    released: list[tuple[str, ...]],
) -> Consumer:
    students = Memberships(runtime.dynamodb, runtime.table)
    return Consumer(runtime, event_routing(courses, students, listing, released.append))


def published(runtime: Runtime, courses: CourseRepository, title: str, at: str) -> Course:
    chapter = Chapter("c1", "Text", "Intro")
    draft = new_draft(uuid.uuid4().hex, "t1", "Tina", at)
    course = revise(
        draft,
        {
            "title": title,
            "category": "Programming",
            "status": "Published",
            "sections": (Section("s1", "Basics", chapters=(chapter,)),),
        },
        at,
    )
    uow = runtime.unit_of_work()
    courses.add(uow, course)
    uow.commit()
    return course


def count(courses: CourseRepository, course_id: str) -> int:
    course = courses.get(course_id)
    assert course is not None
    return course.enrollment_count


def test_enrollments_are_counted_once_per_student(
    runtime: Runtime, courses: CourseRepository, consumer: Consumer
) -> None:
    course = published(runtime, courses, "Go", "2026-01-01T00:00:00.000Z")
    created = wrap(
        EnrollmentCreated(
            user_id="u1",
            course_id=course.course_id,
            order_id="o1",
            enrolled_at="2026-01-02T00:00:00.000Z",
        ),
        "e",
    )
    consumer.consume(created)
    consumer.consume(created)
    again = EnrollmentCreated(
        user_id="u1",
        course_id=course.course_id,
        order_id="o1",
        enrolled_at="2026-01-02T00:00:00.000Z",
    )
    consumer.consume(wrap(again, "enrollment"))
    consumer.consume(
        wrap(
            EnrollmentCreated(
                user_id="u2", course_id=course.course_id, order_id="o2", enrolled_at="2026-01-03"
            ),
            "e",
        )
    )
    assert count(courses, course.course_id) == 2
    membership = Memberships(runtime.dynamodb, runtime.table).get(course.course_id, "u1")
    assert membership is not None and membership.active


def test_a_revocation_that_arrives_first_wins_over_the_older_enrollment(
    runtime: Runtime, courses: CourseRepository, consumer: Consumer
) -> None:
    course = published(runtime, courses, "Go", "2026-01-01T00:00:00.000Z")
    revoked = EnrollmentRevoked(
        user_id="u1",
        course_id=course.course_id,
        reason="refund",
        revoked_at="2026-01-05T00:00:00.000Z",
    )
    consumer.consume(wrap(revoked, "enrollment"))
    created = EnrollmentCreated(
        user_id="u1",
        course_id=course.course_id,
        order_id="o1",
        enrolled_at="2026-01-02T00:00:00.000Z",
    )
    consumer.consume(wrap(created, "enrollment"))
    assert count(courses, course.course_id) == 0
    membership = Memberships(runtime.dynamodb, runtime.table).get(course.course_id, "u1")
    assert membership is not None and not membership.active


def test_a_revocation_after_the_enrollment_gives_the_seat_back(
    runtime: Runtime, courses: CourseRepository, consumer: Consumer
) -> None:
    course = published(runtime, courses, "Go", "2026-01-01T00:00:00.000Z")
    consumer.consume(
        wrap(
            EnrollmentCreated(
                user_id="u1", course_id=course.course_id, order_id="o1", enrolled_at="2026-01-02"
            ),
            "e",
        )
    )
    consumer.consume(
        wrap(
            EnrollmentRevoked(
                user_id="u1", course_id=course.course_id, reason="refund", revoked_at="2026-01-03"
            ),
            "e",
        )
    )
    assert count(courses, course.course_id) == 0


def test_an_enrollment_in_a_course_catalog_no_longer_has_is_still_recorded(
    runtime: Runtime, consumer: Consumer
) -> None:
    """The first run counts without reading the course; the count's condition fails for a
    course that is gone, and the run after it reads, counts nothing and keeps the standing."""
    gone = f"c{uuid.uuid4().hex[:12]}"
    created = EnrollmentCreated(
        user_id="u1", course_id=gone, order_id="o1", enrolled_at="2026-01-02T00:00:00.000Z"
    )
    assert consumer.consume(wrap(created, "enrollment")) == HANDLED
    membership = Memberships(runtime.dynamodb, runtime.table).get(gone, "u1")
    assert membership is not None and membership.active


def test_released_media_is_handed_to_the_store(
    consumer: Consumer, released: list[tuple[str, ...]]
) -> None:
    consumer.consume(
        wrap(MediaReleased(course_id="c1", keys=("courses/c1/a.mp4", "courses/c1/b.png")), "c")
    )
    assert released == [("courses/c1/a.mp4", "courses/c1/b.png")]


def test_course_events_invalidate_the_cached_listing(
    runtime: Runtime, courses: CourseRepository, consumer: Consumer, listing: ListingCache
) -> None:
    renders: list[int] = []

    def render() -> RenderedPage:
        renders.append(1)
        return RenderedPage(b"page")

    listing.page("all", None, render)
    listing.page("all", None, render)
    course = published(runtime, courses, "Go", "2026-01-01T00:00:00.000Z")
    consumer.consume(wrap(CourseUpdated(course=course.snapshot()), "catalog"))
    listing.page("all", None, render)
    assert len(renders) == 2


def test_search_reads_on_through_index_pages_to_fill_a_page(
    runtime: Runtime, courses: CourseRepository
) -> None:
    word = f"zq{uuid.uuid4().hex[:8]}"
    old = [
        published(runtime, courses, f"Rust {word}", f"2026-01-0{day}T00:00:00.000Z")
        for day in (1, 2)
    ]
    for day in range(3, 9):
        published(runtime, courses, f"Python {word}", f"2026-01-0{day}T00:00:00.000Z")
    page = courses.search((word, "rust"), None, 2, None)
    assert [c.course_id for c in page.cards] == [old[1].course_id, old[0].course_id]
    everything = courses.search((word,), None, 3, None)
    assert len(everything.cards) == 3 and everything.last_key is not None
    rest = courses.search((word,), None, 10, everything.last_key)
    assert len(rest.cards) == 5 and rest.last_key is None
