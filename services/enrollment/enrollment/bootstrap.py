"""Wires enrollment: its adapters, and each handler bound to the adapters it needs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

from enrollment import handlers
from enrollment.adapters.course_progress import CourseProgressReader, course_progress_reader
from enrollment.adapters.repository import EnrollmentRepository
from enrollment.commands import ReportProgress, ShowCourseAnalytics, ShowProgress, StreamChapter
from enrollment.domain.model import Enrollment, Progress
from shared.api.learning import StreamUrl
from shared.config import Settings
from shared.events.contracts import CourseSnapshot, PaymentSucceeded, RefundSucceeded
from shared.media.issued_playback import IssuedPlayback
from shared.media.playback import PlaybackSigner, playback_signer
from shared.media.s3 import s3_client
from shared.messaging.routing import EventHandler, on, routes
from shared.readmodels.course_cards import CourseCards, course_card_routes
from shared.runtime import Runtime


@dataclass(frozen=True)
class Learning:
    """Enrollment, wired: the adapters the web reads through, and the handlers."""

    runtime: Runtime
    enrollments: EnrollmentRepository
    cards: CourseCards
    playback: PlaybackSigner
    course_progress: CourseProgressReader
    issued_playback: IssuedPlayback
    show_progress: Callable[[ShowProgress], tuple[Enrollment, Progress]]
    report_progress: Callable[[ReportProgress], handlers.ProgressReport]
    stream_chapter: Callable[[StreamChapter], StreamUrl]
    owned_course: Callable[[ShowCourseAnalytics], CourseSnapshot]
    on_event: Mapping[str, EventHandler]
    """What the worker runs for each event type it receives."""

    @property
    def settings(self) -> Settings:
        return self.runtime.settings


def build(runtime: Runtime) -> Learning:
    settings = runtime.settings
    enrollments = EnrollmentRepository(runtime.dynamodb, runtime.table)
    cards = CourseCards(runtime.dynamodb, runtime.table)
    playback = playback_signer(settings, s3_client(settings.aws))
    issued_playback = IssuedPlayback(runtime.dynamodb, runtime.table)
    return Learning(
        runtime=runtime,
        enrollments=enrollments,
        cards=cards,
        playback=playback,
        course_progress=course_progress_reader(settings, runtime.dynamodb),
        issued_playback=issued_playback,
        show_progress=partial(handlers.show_progress, enrollments=enrollments),
        report_progress=partial(
            handlers.report_progress,
            enrollments=enrollments,
            cards=cards,
            unit_of_work=runtime.unit_of_work,
            complete_percent=settings.progress_complete_percent,
        ),
        stream_chapter=partial(
            handlers.stream_chapter,
            enrollments=enrollments,
            cards=cards,
            issued_playback=issued_playback,
            playback=playback,
            url_seconds=settings.media.playback_url_seconds,
        ),
        owned_course=partial(handlers.owned_course, cards=cards),
        on_event=routes(
            on(PaymentSucceeded, partial(handlers.enroll_buyer, enrollments=enrollments)),
            on(RefundSucceeded, partial(handlers.revoke_refunded, enrollments=enrollments)),
            course_card_routes(cards),
        ),
    )


def event_handlers(runtime: Runtime) -> Mapping[str, EventHandler]:
    """The worker's routing, bound to the worker's own runtime."""
    return build(runtime).on_event
