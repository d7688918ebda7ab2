"""Listings read course cards: the same answer as the whole course gave, for a few KB a card."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalog.adapters import keys
from catalog.adapters.repository import courses_without_cards, index_keys, to_item
from catalog.app import create_app
from catalog.bootstrap import Catalog, event_routing
from catalog.cards import card_json, card_of, decode_card, encode_card
from catalog.commands import BackfillCards
from catalog.course_media import CourseMedia
from catalog.domain.access import Access
from catalog.domain.model import Chapter, Course, Section, new_draft, revise
from catalog.views import shown_course
from shared.config import load_settings
from shared.dynamo.codec import deserialize, serialize, values
from shared.dynamo.tables import ensure_table
from shared.events.contracts import EnrollmentCreated
from shared.events.envelope import wrap
from shared.messaging.consumer import Consumer

AT = "2026-11-25T10:00:00.000Z"
LESSON = "a paid lesson, long enough to matter " * 100


class SignedMedia:
    """Stands in for CourseMedia where only the thumbnail's signed URL is asked for."""

    def playback_url(self, key: str) -> str:
        return f"https://signed.example/{key}?sig=1"


def course_with_everything(title: str = "Rust for services", at: str = AT) -> Course:
    """A published course with every field a card shows: a thumbnail, a description, a price,
    sections with a description, Text, Quiz and Video chapters, free previews and content."""
    course_id = uuid.uuid4().hex
    chapters = (
        Chapter("text", "Text", "Read me", content=LESSON),
        Chapter("quiz", "Quiz", "Try me", content='{"q": "free?"}', free_preview=True),
        Chapter("v1", "Video", "Trailer", video=f"courses/{course_id}/v/v1.mp4", free_preview=True),
        Chapter("v2", "Video", "Part 1", content="notes", video=f"courses/{course_id}/v/v2.mp4"),
    )
    return revise(
        new_draft(course_id, "t1", "Tina Teacher", at),
        {
            "title": title,
            "description": "Ownership, lifetimes and the borrow checker — déjà vu.",
            "category": "Programming",
            "price": 49900,
            "level": "Advanced",
            "status": "Published",
            "image": f"courses/{course_id}/thumbnails/abc.png",
            "sections": (
                Section("s1", "Basics", "Where to start", chapters=chapters[:2]),
                Section("s2", "Videos", chapters=chapters[2:]),
                Section("s3", "Empty for now"),
            ),
        },
        at,
    )


def test_a_card_answers_what_the_outline_of_the_whole_course_does() -> None:
    course = course_with_everything()
    card = decode_card(encode_card(card_of(course)), 0)
    media: Any = SignedMedia()
    shown = shown_course(course, media, Access.OUTLINE).wire()
    assert card_json(card, media) == shown
    assert json.dumps(card_json(card, media)) == json.dumps(shown), "in the same order"
    assert LESSON not in encode_card(card) and "v1.mp4" not in encode_card(card)


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    env = {**os.environ, "TABLE_PREFIX": f"t{uuid.uuid4().hex[:8]}-", "CATALOG_CACHE_SECONDS": "0"}
    monkeypatch.setattr(CourseMedia, "playback_url", SignedMedia.playback_url)
    flask_app = create_app(load_settings("catalog", env))
    catalog: Catalog = flask_app.extensions["catalog"]
    ensure_table(catalog.runtime.dynamodb, catalog.runtime.table)
    yield flask_app
    catalog.runtime.dynamodb.delete_table(TableName=catalog.runtime.table)


@pytest.fixture
def catalog(app: Flask) -> Catalog:
    found: Catalog = app.extensions["catalog"]
    return found


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def add(catalog: Catalog, course: Course) -> None:
    uow = catalog.runtime.unit_of_work()
    catalog.courses.add(uow, course)
    uow.commit()


def add_as_before_cards(catalog: Catalog, course: Course) -> None:
    """The course item as saves wrote it before cards: the listing indexes' keys on it, no card."""
    item = {k: v for k, v in {**to_item(course), **index_keys(course)}.items() if v is not None}
    catalog.runtime.dynamodb.put_item(TableName=catalog.runtime.table, Item=serialize(item))
    for word in course.search_words:
        assert course.published_at
        word_item = {**keys.word_key(word, course.published_at, course.course_id)}
        catalog.runtime.dynamodb.put_item(
            TableName=catalog.runtime.table,
            Item=serialize({**word_item, "courseId": course.course_id}),
        )


def listed(client: FlaskClient, query: str = "") -> list[dict[str, Any]]:
    response = client.get(f"/courses{query}")
    assert response.status_code == 200
    data: list[dict[str, Any]] = response.get_json()["data"]
    return data


def outline(catalog: Catalog, course_id: str) -> dict[str, Any]:
    """What the listing answered before cards: the outline of the whole course, as stored."""
    stored = catalog.courses.get(course_id)
    assert stored is not None
    return shown_course(stored, catalog.media, Access.OUTLINE).wire()


QUERIES = ("", "?category=programming", "?q=rust+borrow", "?category=programming&q=lifetimes")


@pytest.mark.parametrize("query", QUERIES)
def test_every_listing_answers_as_before(catalog: Catalog, client: FlaskClient, query: str) -> None:
    course = course_with_everything()
    add(catalog, course)
    assert listed(client, query) == [outline(catalog, course.course_id)]


def test_the_listing_indexes_hold_cards_only(catalog: Catalog) -> None:
    course = course_with_everything()
    add(catalog, course)
    for index, partition in (("GSI1", "TEACHER#t1"), ("GSI2", keys.PUBLISHED_ALL)):
        found = catalog.runtime.dynamodb.query(
            TableName=catalog.runtime.table,
            IndexName=index,
            KeyConditionExpression=f"{index}PK = :pk",
            ExpressionAttributeValues=values(pk=partition),
        )["Items"]
        assert [deserialize(i)["SK"] for i in found] == [keys.CARD]
        assert LESSON not in str(found)
    stored = catalog.runtime.dynamodb.get_item(
        TableName=catalog.runtime.table, Key=serialize(keys.course_key(course.course_id))
    )["Item"]
    assert LESSON in str(stored), "the course item keeps everything"
    assert not {"GSI1PK", "GSI2PK", "GSI3PK"} & set(stored)


def enroll(catalog: Catalog, course_id: str) -> None:
    """A student's enrollment, through the catalog's own consumer (the seat count's path)."""
    consumer = Consumer(catalog.runtime, event_routing(
        catalog.courses, catalog.students, catalog.listing, lambda _: None
    ))  # fmt: skip
    consumer.consume(
        wrap(
            EnrollmentCreated(user_id="u1", course_id=course_id, order_id="o1", enrolled_at=AT),
            "enrollment",
        )
    )


def test_saves_enrollments_and_deletion_keep_the_card_current(
    catalog: Catalog, client: FlaskClient
) -> None:
    course = course_with_everything()
    add(catalog, course)
    enroll(catalog, course.course_id)
    current = catalog.courses.get(course.course_id)
    assert current is not None
    uow = catalog.runtime.unit_of_work()
    saved = revise(current, {"title": "Rust for services, 2nd edition"}, AT)
    catalog.courses.replace(uow, saved, current)
    uow.commit()
    [card] = listed(client)
    assert card == outline(catalog, course.course_id)
    assert (card["title"], card["enrollmentCount"]) == ("Rust for services, 2nd edition", 1)

    current = catalog.courses.get(course.course_id)
    assert current is not None
    uow = catalog.runtime.unit_of_work()
    catalog.courses.replace(uow, revise(current, {"status": "Draft"}, AT), current)
    uow.commit()
    assert listed(client) == [] and listed(client, "?q=rust") == []


def test_a_course_saved_before_cards_is_listed_until_its_card_is_written(
    catalog: Catalog, client: FlaskClient
) -> None:
    old = course_with_everything("Rust before cards", "2026-11-24T10:00:00.000Z")
    add_as_before_cards(catalog, old)
    new = course_with_everything()
    add(catalog, new)
    expected = [outline(catalog, new.course_id), outline(catalog, old.course_id)]
    assert listed(client) == expected
    assert listed(client, "?q=rust") == expected

    assert courses_without_cards(catalog.runtime.dynamodb, catalog.runtime.table) == [old.course_id]
    assert catalog.backfill_cards(BackfillCards((old.course_id, new.course_id))) == 1
    assert catalog.backfill_cards(BackfillCards((old.course_id,))) == 0, "idempotent"
    assert courses_without_cards(catalog.runtime.dynamodb, catalog.runtime.table) == []
    assert listed(client) == expected
    assert listed(client, "?q=rust") == expected


def test_an_enrollment_gives_a_course_saved_before_cards_its_card(
    catalog: Catalog, client: FlaskClient
) -> None:
    old = course_with_everything()
    add_as_before_cards(catalog, old)
    enroll(catalog, old.course_id)
    card = catalog.courses.card(old.course_id)
    assert card is not None and card.enrollment_count == 1
    [listed_card] = listed(client)
    assert listed_card == outline(catalog, old.course_id)
    assert listed_card["enrollmentCount"] == 1
