"""Enrollment's handlers with in-memory fakes: the progress and playback rules, no DynamoDB."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, cast

import pytest

from enrollment import handlers
from enrollment.adapters.repository import EnrollmentRepository, StaleProgress
from enrollment.commands import ReportProgress, ShowCourseAnalytics, StreamChapter
from enrollment.domain.model import Enrollment, Progress
from enrollment.domain.progress import ChapterReport, ProgressInvalid, SectionReport
from enrollment.errors import CourseUnknown, NotEnrolled, NotOwner, NoVideo, SignInToWatch
from shared.api.learning import StreamUrl
from shared.events.contracts import CourseSnapshot
from shared.media.issued_playback import IssuedPlayback
from shared.media.playback import PlaybackSigner
from shared.messaging.unit_of_work import UnitOfWork
from shared.readmodels.course_cards import CourseCards
from shared.tests.factories import chapter, course_snapshot, section
from shared.tests.fakes import FakeUnitOfWork

AT = "2026-11-25T10:00:00.000Z"
TEACHER, STUDENT = "t1", "u1"


@dataclass
class FakeEnrollments:
    """Enrollments and versioned progress in dicts; a save whose version moved is stale."""

    enrollments: dict[tuple[str, str], Enrollment] = field(default_factory=dict)
    progresses: dict[tuple[str, str], Progress] = field(default_factory=dict)

    def get(self, user_id: str, course_id: str) -> Enrollment | None:
        return self.enrollments.get((user_id, course_id))

    def progress(self, user_id: str, course_id: str) -> Progress | None:
        return self.progresses.get((user_id, course_id))

    def save_progress(self, uow: FakeUnitOfWork, progress: Progress, read_version: int) -> None:
        key = (progress.user_id, progress.course_id)

        def unchanged() -> None:
            if self.progresses[key].version != read_version:
                raise StaleProgress(progress.course_id)

        def write() -> None:
            self.progresses[key] = replace(progress, version=read_version + 1)

        uow.stage(write, unchanged)


class FakeCards:
    def __init__(self, *courses: CourseSnapshot) -> None:
        self.courses = {c.course_id: c for c in courses}

    def get(self, course_id: str) -> CourseSnapshot | None:
        return self.courses.get(course_id)


class FakeSigner:
    def sign(self, key: str) -> str:
        return f"https://media.test/{key}?signed"


@dataclass
class FakeIssued:
    records: set[tuple[str, str, str]] = field(default_factory=set)

    def record(self, course_id: str, user_id: str, chapter_ids: Iterable[str]) -> None:
        self.records |= {(course_id, user_id, c) for c in chapter_ids}


def course(status: str = "Published") -> CourseSnapshot:
    chapters = (
        chapter("intro", free_preview=True, video_key="videos/intro.mp4"),
        chapter("paid", video_key="videos/paid.mp4"),
        chapter("notes", "Text"),
    )
    return course_snapshot(
        course_id="c1",
        teacher_id=TEACHER,
        title="Course",
        status=status,
        sections=(section("s1", *chapters),),
    )


@dataclass
class World:
    enrollments: FakeEnrollments
    cards: FakeCards
    issued: FakeIssued
    units: list[FakeUnitOfWork]
    failures: list[Exception] = field(default_factory=list)

    def unit_of_work(self) -> FakeUnitOfWork:
        self.units.append(FakeUnitOfWork(failures=self.failures))
        return self.units[-1]

    def events(self) -> list[str]:
        return [type(e).__name__ for uow in self.units for e in uow.committed]

    def report(self, **chapter: Any) -> handlers.ProgressReport:
        report = ChapterReport(chapter.pop("chapter_id", "paid"), **chapter)
        command = ReportProgress(STUDENT, "c1", (SectionReport("s1", (report,)),))
        run = partial(
            handlers.report_progress,
            enrollments=cast(EnrollmentRepository, self.enrollments),
            cards=cast(CourseCards, self.cards),
            unit_of_work=cast(Callable[[], UnitOfWork], self.unit_of_work),
            complete_percent=80,
        )
        return run(command)

    def stream(self, chapter_id: str, viewer: str | None) -> StreamUrl:
        return handlers.stream_chapter(
            StreamChapter("c1", chapter_id, viewer),
            enrollments=cast(EnrollmentRepository, self.enrollments),
            cards=cast(CourseCards, self.cards),
            issued_playback=cast(IssuedPlayback, self.issued),
            playback=cast(PlaybackSigner, FakeSigner()),
            url_seconds=60,
        )


@pytest.fixture
def world() -> World:
    enrollments = FakeEnrollments()
    enrollments.enrollments[(STUDENT, "c1")] = Enrollment(STUDENT, "c1", "o1", AT)
    enrollments.progresses[(STUDENT, "c1")] = Progress(STUDENT, "c1")
    return World(enrollments, FakeCards(course()), FakeIssued(), [])


def test_a_chapter_completes_once_at_the_threshold(world: World) -> None:
    assert not world.report(watched_percent=79).progress.completed("paid")
    assert world.report(watched_percent=80).progress.completed("paid")
    world.report(watched_percent=100)
    assert world.events() == ["ChapterCompleted"]


def test_the_course_completes_once_with_its_last_chapter(world: World) -> None:
    for chapter_id in ("intro", "paid", "notes"):
        world.report(chapter_id=chapter_id, completed=True)
    world.report(chapter_id="notes", completed=True)
    assert world.events().count("CourseCompleted") == 1
    assert world.events().count("ChapterCompleted") == 3


def test_a_stale_save_is_read_again_and_retried(world: World) -> None:
    world.failures.extend([StaleProgress("c1")] * 2)
    outcome = world.report(watched_percent=90)
    assert outcome.progress.completed("paid")
    assert world.events() == ["ChapterCompleted"]
    assert len(world.units) == 3  # two lost races, then the save


def test_only_an_enrolled_student_reports_on_a_known_course(world: World) -> None:
    world.enrollments.enrollments.clear()
    with pytest.raises(NotEnrolled):
        world.report(watched_percent=90)
    world.cards.courses.clear()
    with pytest.raises(CourseUnknown):
        world.report(watched_percent=90)


def test_an_unknown_chapter_is_named(world: World) -> None:
    with pytest.raises(ProgressInvalid) as caught:
        world.report(chapter_id="ghost", completed=True)
    assert set(caught.value.details) == {"sections[0].chapters[0].chapterId"}


def test_a_paid_chapter_streamed_to_a_student_is_recorded_first(world: World) -> None:
    assert world.stream("paid", STUDENT).url.endswith("videos/paid.mp4?signed")
    world.stream("intro", STUDENT)  # a free preview is no record
    world.stream("paid", TEACHER)  # nor is the owner's own viewing
    assert world.issued.records == {("c1", STUDENT, "paid")}


def test_who_may_stream_what(world: World) -> None:
    assert world.stream("intro", None).url  # a published free preview: anyone
    with pytest.raises(SignInToWatch):
        world.stream("paid", None)
    with pytest.raises(NotEnrolled):
        world.stream("paid", "stranger")
    with pytest.raises(NoVideo):
        world.stream("notes", STUDENT)
    world.cards.courses["c1"] = course(status="Draft")
    with pytest.raises(SignInToWatch):
        world.stream("intro", None)  # a draft's preview is not public
    assert world.issued.records == set()


def test_analytics_are_the_owners_alone(world: World) -> None:
    cards = cast(CourseCards, world.cards)
    assert handlers.owned_course(ShowCourseAnalytics(TEACHER, "c1"), cards=cards).title == "Course"
    with pytest.raises(NotOwner):
        handlers.owned_course(ShowCourseAnalytics("t2", "c1"), cards=cards)
