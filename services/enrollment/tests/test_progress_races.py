"""Racing progress reports against a real table: one chapter.completed, one course.completed."""

from __future__ import annotations

import json
import os
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from enrollment import bootstrap
from enrollment.bootstrap import Learning
from enrollment.commands import ReportProgress
from enrollment.domain.model import Enrollment
from enrollment.domain.progress import ChapterReport, SectionReport
from shared.config import load_settings
from shared.dynamo.codec import deserialize
from shared.dynamo.tables import ensure_table
from shared.runtime import Runtime
from shared.tests.factories import chapter, course_snapshot, section

NOW = "2026-11-25T10:00:00.000Z"
RACERS = 8


@pytest.fixture
def learning() -> Iterator[Learning]:
    env = {**os.environ, "TABLE_PREFIX": f"t{uuid.uuid4().hex[:8]}-"}
    app = bootstrap.build(Runtime(load_settings("enrollment", env)))
    ensure_table(app.runtime.dynamodb, app.runtime.table)
    yield app
    app.runtime.dynamodb.delete_table(TableName=app.runtime.table)


def enrolled_in_two_chapter_course(app: Learning) -> None:
    course = course_snapshot(
        course_id="c1", sections=(section("s1", chapter("v1"), chapter("v2")),)
    )
    uow = app.runtime.unit_of_work()
    app.cards.upsert(uow, course)
    app.enrollments.enroll(uow, Enrollment("u1", "c1", "o1", NOW))
    uow.commit()


def watched(chapter_id: str, percent: float) -> ReportProgress:
    chapter = ChapterReport(chapter_id, watched_percent=percent)
    return ReportProgress("u1", "c1", (SectionReport("s1", (chapter,)),))


def raised_events(app: Learning) -> Counter[str]:
    """Event types in the outbox (a test-only scan of a private table)."""
    items = app.runtime.dynamodb.scan(TableName=app.runtime.table)["Items"]
    envelopes = [json.loads(deserialize(i)["envelope"]) for i in items if "envelope" in i]
    return Counter(e["event_type"] for e in envelopes)


def test_racing_reports_complete_a_chapter_and_the_course_exactly_once(learning: Learning) -> None:
    enrolled_in_two_chapter_course(learning)
    learning.report_progress(watched("v1", 100))
    with ThreadPoolExecutor(RACERS) as pool:
        results = list(
            pool.map(
                lambda percent: learning.report_progress(watched("v2", percent)),
                [80 + i for i in range(RACERS)],
            )
        )
    assert all(report.progress.completed("v2") for report in results)
    assert raised_events(learning) == {
        "enrollment.chapter.completed.v1": 2,
        "enrollment.course.completed.v1": 1,
    }
    stored = learning.enrollments.progress("u1", "c1")
    assert stored is not None and stored.chapters["v2"]["watchedPercent"] == 80 + RACERS - 1
    assert stored.completed_at is not None
