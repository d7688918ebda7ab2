"""The stream endpoint records each paid chapter it issues to a student, for the refund rule."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from flask import Flask

from enrollment.app import create_app
from enrollment.bootstrap import Learning
from enrollment.commands import StreamChapter
from enrollment.errors import NotEnrolled, SignInToWatch
from shared.config import load_settings
from shared.dynamo.tables import ensure_table
from shared.events.contracts import CourseSnapshot, PaymentSucceeded
from shared.events.envelope import wrap
from shared.tests.factories import chapter, course_snapshot, section

AT = "2026-11-25T10:00:00.000Z"
COURSE, TEACHER, STUDENT = "c1", "t1", "u1"


@pytest.fixture
def app_and_learning() -> Iterator[tuple[Flask, Learning]]:
    env = {**os.environ, "TABLE_PREFIX": f"t{uuid.uuid4().hex[:8]}-"}
    app = create_app(load_settings("enrollment", env))
    learning: Learning = app.extensions["learning"]
    ensure_table(learning.runtime.dynamodb, learning.runtime.table)
    uow = learning.runtime.unit_of_work()
    learning.cards.upsert(uow, course_card())
    uow.commit()
    payment = PaymentSucceeded(
        order_id="o1",
        user_id=STUDENT,
        course_id=COURSE,
        amount=9900,
        currency="INR",
        provider_payment_id="cf_o1",
        paid_at=AT,
    )
    uow = learning.runtime.unit_of_work()
    learning.on_event[PaymentSucceeded.EVENT_TYPE](payment, wrap(payment, producer="billing"), uow)
    uow.commit()
    yield app, learning
    learning.runtime.dynamodb.delete_table(TableName=learning.runtime.table)


@pytest.fixture
def learning(app_and_learning: tuple[Flask, Learning]) -> Learning:
    return app_and_learning[1]


def course_card() -> CourseSnapshot:
    chapters = (
        chapter(chapter_id, free_preview=preview, video_key=f"courses/{COURSE}/{chapter_id}")
        for chapter_id, preview in (("v1", True), ("v2", False), ("v3", False))
    )
    return course_snapshot(
        course_id=COURSE,
        teacher_id=TEACHER,
        price=9900,
        status="Published",  # a free preview is open to anyone only in a published course
        sections=(section("s1", *chapters),),
    )


def test_a_paid_chapter_streamed_by_a_student_is_recorded(learning: Learning) -> None:
    learning.stream_chapter(StreamChapter(COURSE, "v2", STUDENT))
    learning.stream_chapter(StreamChapter(COURSE, "v1", STUDENT))  # a free preview: free for anyone
    learning.stream_chapter(StreamChapter(COURSE, "v3", TEACHER))  # the owner needs no record
    learning.stream_chapter(StreamChapter(COURSE, "v1", None))
    assert learning.issued_playback.chapters(COURSE, STUDENT) == {"v2"}
    assert learning.issued_playback.chapters(COURSE, TEACHER) == set()


def test_a_refused_stream_records_nothing(learning: Learning) -> None:
    with pytest.raises(NotEnrolled):
        learning.stream_chapter(StreamChapter(COURSE, "v2", "stranger"))
    with pytest.raises(SignInToWatch):
        learning.stream_chapter(StreamChapter(COURSE, "v2", None))
    assert learning.issued_playback.chapters(COURSE, "stranger") == set()


def test_the_internal_progress_answer_names_the_issued_chapters(
    app_and_learning: tuple[Flask, Learning],
) -> None:
    app, learning = app_and_learning
    learning.stream_chapter(StreamChapter(COURSE, "v3", STUDENT))
    client = app.test_client()
    token = learning.settings.internal_api_token
    response = client.get(
        f"/internal/progress/{STUDENT}/{COURSE}", headers={"X-Internal-Token": token}
    )
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert (data["enrolled"], data["overallProgress"], data["issuedChapterIds"]) == (
        True,
        0,
        ["v3"],
    )
