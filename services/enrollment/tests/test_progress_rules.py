"""The progress rules: the 80 % rule, bare completions, never backwards, ids checked."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from pydantic import ValidationError

from enrollment.domain.model import Progress
from enrollment.domain.progress import ChapterReport, ProgressInvalid, apply_report, known_chapters
from enrollment.entrypoints.api import reported_sections
from shared.api.learning import ProgressBody
from shared.events.contracts import CourseSnapshot
from shared.tests.factories import chapter, course_snapshot, section
from shared.web.body import field_problems

NOW = "2026-11-25T10:00:00.000Z"


def course(*chapters: tuple[str, str]) -> CourseSnapshot:
    outline = section("s1", *(chapter(chapter_id, kind) for chapter_id, kind in chapters))
    return course_snapshot(course_id="c1", sections=(outline,))


COURSE = course(("v1", "Video"), ("t1", "Text"))


def report(**chapter: Any) -> dict[str, Any]:
    return {"sections": [{"sectionId": "s1", "chapters": [{"chapterId": "v1", **chapter}]}]}


def parse(body: dict[str, Any]) -> list[ChapterReport]:
    """As the PUT does: the body's shape (a 400 naming fields), then its ids against the course."""
    return known_chapters(reported_sections(ProgressBody.model_validate(body)), COURSE)


def run(progress: Progress, body: dict[str, Any], threshold: float = 80) -> Any:
    return apply_report(progress, parse(body), COURSE, threshold, NOW)


def fresh() -> Progress:
    return Progress("u1", "c1")


@pytest.mark.parametrize(
    ("watched", "done"), [(79, False), (79.99, False), (80, True), (100, True)]
)
def test_a_video_completes_at_80_percent_and_not_below(watched: float, done: bool) -> None:
    outcome = run(fresh(), report(watchedPercent=watched))
    assert outcome.progress.completed("v1") is done
    assert outcome.newly_completed == (("v1",) if done else ())


def test_with_a_watched_percent_the_server_decides_over_completed_true() -> None:
    outcome = run(fresh(), report(watchedPercent=50, completed=True))
    assert not outcome.progress.completed("v1")


def test_the_threshold_is_configurable() -> None:
    assert run(fresh(), report(watchedPercent=60), threshold=60).progress.completed("v1")


def test_a_bare_completed_true_completes_as_the_existing_frontend_sends_it() -> None:
    body = {"sections": [{"sectionId": "s1", "chapters": [{"chapterId": "t1", "completed": True}]}]}
    assert run(fresh(), body).progress.completed("t1")


def test_progress_never_goes_backwards() -> None:
    done = run(fresh(), report(watchedPercent=90, positionSeconds=120)).progress
    later = run(done, report(watchedPercent=40, positionSeconds=30, completed=False)).progress
    assert later.completed("v1")
    assert later.chapters["v1"]["watchedPercent"] == 90
    assert later.chapters["v1"]["positionSeconds"] == 30, "resume where the student is now"
    assert run(done, report(watchedPercent=95)).newly_completed == (), "completes once"


def test_the_course_completes_once_when_its_last_chapter_does() -> None:
    first = run(fresh(), report(watchedPercent=85))
    assert not first.course_completed
    body = {"sections": [{"sectionId": "s1", "chapters": [{"chapterId": "t1", "completed": True}]}]}
    second = run(first.progress, body)
    assert second.course_completed and second.progress.completed_at == NOW
    assert not run(second.progress, body).course_completed


def test_a_chapter_added_later_lowers_overall_progress() -> None:
    done = run(fresh(), report(watchedPercent=100)).progress
    done = replace(done, chapters={**done.chapters, "t1": {"completed": True}})
    assert done.overall(COURSE) == 100
    grown = course(("v1", "Video"), ("t1", "Text"), ("q1", "Quiz"), ("v2", "Video"))
    assert done.overall(grown) == 50


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"sections": [{"sectionId": "nope", "chapters": []}]}, "sections[0].sectionId"),
        (report(chapterId="ghost"), "sections[0].chapters[0].chapterId"),
    ],
)
def test_unknown_ids_name_the_field(body: dict[str, Any], field: str) -> None:
    with pytest.raises(ProgressInvalid) as caught:
        parse(body)
    assert field in caught.value.details


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (report(watchedPercent=101), "sections[0].chapters[0].watchedPercent"),
        (report(watchedPercent="80"), "sections[0].chapters[0].watchedPercent"),
        (report(positionSeconds=-1), "sections[0].chapters[0].positionSeconds"),
        (report(completed="yes"), "sections[0].chapters[0].completed"),
        ({"sections": {}}, "sections"),
        ({"sections": [{"sectionId": "s1", "chapters": "v1"}]}, "sections[0].chapters"),
        # ids that are not strings (unhashable ones once made a 500)
        ({"sections": [{"sectionId": ["s1"], "chapters": []}]}, "sections[0].sectionId"),
        (report(chapterId={"id": "v1"}), "sections[0].chapters[0].chapterId"),
    ],
)
def test_malformed_reports_name_the_field(body: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ProgressBody.model_validate(body)
    assert field in field_problems(caught.value.errors())
