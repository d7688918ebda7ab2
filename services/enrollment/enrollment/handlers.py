"""Enrollment's handlers: each takes its command (or event) and only what it needs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from enrollment.adapters.repository import EnrollmentRepository, StaleProgress
from enrollment.commands import ReportProgress, ShowCourseAnalytics, ShowProgress, StreamChapter
from enrollment.domain.model import DELETED_COURSE, Enrollment, Progress
from enrollment.domain.progress import apply_report, known_chapters
from enrollment.errors import CourseUnknown, NotEnrolled, NotOwner, NoVideo, SignInToWatch
from shared.api.learning import StreamUrl
from shared.clock import iso, now_iso, utc_now
from shared.events.contracts import (
    ChapterCompleted,
    ChapterOutline,
    CourseCompleted,
    CourseSnapshot,
    EnrollmentCreated,
    EnrollmentRevoked,
    PaymentSucceeded,
    RefundSucceeded,
)
from shared.events.envelope import Envelope
from shared.media.issued_playback import IssuedPlayback
from shared.media.playback import PlaybackSigner
from shared.messaging.unit_of_work import UnitOfWork
from shared.readmodels.course_cards import CourseCards
from shared.retry import retry_on_conflict

SAVE_ATTEMPTS = 10


@dataclass(frozen=True)
class ProgressReport:
    """A student's standing in a course after a report, with the course it is measured on."""

    enrollment: Enrollment
    progress: Progress
    course: CourseSnapshot


def show_progress(
    query: ShowProgress, *, enrollments: EnrollmentRepository
) -> tuple[Enrollment, Progress]:
    """The caller's enrollment and progress; NotEnrolled unless the enrollment is active."""
    enrollment = enrollments.get(query.user_id, query.course_id)
    progress = enrollments.progress(query.user_id, query.course_id)
    if enrollment is None or not enrollment.active or progress is None:
        raise NotEnrolled(query.course_id)
    return enrollment, progress


def report_progress(
    command: ReportProgress,
    *,
    enrollments: EnrollmentRepository,
    cards: CourseCards,
    unit_of_work: Callable[[], UnitOfWork],
    complete_percent: float,
) -> ProgressReport:
    """Apply a player's report; each chapter completes once and the course once, however many
    reports race (each save is conditional on the version it read, and retried)."""
    user_id, course_id = command.user_id, command.course_id
    course = cards.get(course_id)
    if course is None:
        raise CourseUnknown(course_id)
    reports = known_chapters(command.sections, course)

    def save(_attempt: int) -> ProgressReport:
        enrollment, current = show_progress(
            ShowProgress(user_id, course_id), enrollments=enrollments
        )
        now = now_iso()
        outcome = apply_report(current, reports, course, complete_percent, now)
        uow = unit_of_work()
        enrollments.save_progress(uow, outcome.progress, current.version)
        for chapter_id in outcome.newly_completed:
            uow.raise_event(
                ChapterCompleted(
                    user_id=user_id, course_id=course_id, chapter_id=chapter_id, completed_at=now
                )
            )
        if outcome.course_completed:
            uow.raise_event(CourseCompleted(user_id=user_id, course_id=course_id, completed_at=now))
        uow.commit()
        return ProgressReport(enrollment, outcome.progress, course)

    return retry_on_conflict(
        save,
        conflicts=(StaleProgress,),
        attempts=SAVE_ATTEMPTS,
        give_up=lambda _: StaleProgress(course_id),
    )


def _chapter(course: CourseSnapshot, chapter_id: str) -> ChapterOutline:
    for section in course.sections:
        for chapter in section.chapters:
            if chapter.chapter_id == chapter_id:
                return chapter
    raise CourseUnknown(chapter_id)


def stream_chapter(
    command: StreamChapter,
    *,
    enrollments: EnrollmentRepository,
    cards: CourseCards,
    issued_playback: IssuedPlayback,
    playback: PlaybackSigner,
    url_seconds: int,
) -> StreamUrl:
    """A signed playback URL for the owner, an enrolled student, or a free-preview chapter of a
    published course. A paid chapter issued to a student is recorded first (billing's refund
    rule counts it)."""
    course_id, chapter_id, viewer_id = command.course_id, command.chapter_id, command.viewer_id
    course = cards.get(course_id)
    if course is None or course.status == DELETED_COURSE:
        raise CourseUnknown(course_id)
    chapter = _chapter(course, chapter_id)
    if not chapter.video_key:
        raise NoVideo(chapter_id)
    expires_at = iso(utc_now() + timedelta(seconds=url_seconds))
    open_preview = chapter.free_preview and course.status == "Published"
    if open_preview or (viewer_id is not None and viewer_id == course.teacher_id):
        return StreamUrl(url=playback.sign(chapter.video_key), expires_at=expires_at)
    if viewer_id is None:
        raise SignInToWatch(chapter_id)
    enrollment = enrollments.get(viewer_id, course_id)
    if enrollment is None or not enrollment.active:
        raise NotEnrolled(course_id)
    if not chapter.free_preview:
        issued_playback.record(course_id, viewer_id, (chapter_id,))
    return StreamUrl(url=playback.sign(chapter.video_key), expires_at=expires_at)


def owned_course(query: ShowCourseAnalytics, *, cards: CourseCards) -> CourseSnapshot:
    """The teacher's course; CourseUnknown for a deleted one, NotOwner for another's."""
    course = cards.get(query.course_id)
    if course is None or course.status == DELETED_COURSE:
        raise CourseUnknown(query.course_id)
    if course.teacher_id != query.teacher_id:
        raise NotOwner(query.course_id)
    return course


def enroll_buyer(
    event: PaymentSucceeded,
    _envelope: Envelope,
    uow: UnitOfWork,
    *,
    enrollments: EnrollmentRepository,
) -> None:
    """A paid order enrolls its buyer once; a refund seen earlier wins. The first run
    assumes the usual case, no refund and no enrollment yet, without reading: the revoked
    check and the enrollment's `attribute_not_exists` hold it to that, and the next run
    reads."""
    if not uow.optimistic and enrollments.order_revoked(event.order_id):
        return
    enrollments.require_not_revoked(uow, event.order_id)
    current = None if uow.optimistic else enrollments.get(event.user_id, event.course_id)
    if current is not None and current.active:
        if event.order_id != current.order_id and event.order_id not in current.standby_orders:
            enrollments.add_standby(uow, current, event.order_id)
        return
    granted_at = now_iso()
    if current is not None:
        enrollments.reactivate(uow, current, event.order_id)
    else:
        enrollment = Enrollment(event.user_id, event.course_id, event.order_id, granted_at)
        enrollments.enroll(uow, enrollment)
    # The event is stamped with this grant, not the first enrollment: read models keep the
    # newest standing, and a re-purchase must be newer than the revocation it follows.
    uow.raise_event(
        EnrollmentCreated(
            user_id=event.user_id,
            course_id=event.course_id,
            order_id=event.order_id,
            enrolled_at=granted_at,
        )
    )


def revoke_refunded(
    event: RefundSucceeded,
    _envelope: Envelope,
    uow: UnitOfWork,
    *,
    enrollments: EnrollmentRepository,
) -> None:
    """Access ends with a refund of the order that granted it. A refund of any other
    order (one not yet applied, or a duplicate payment) is remembered, so that order
    never enrolls, whichever of its events arrives first."""
    at = now_iso()
    enrollments.remember_revoked_order(uow, event.order_id, at)
    current = enrollments.get(event.user_id, event.course_id)
    if current is None or not current.active:
        enrollments.require_no_access_from(uow, event.user_id, event.course_id, event.order_id)
    elif event.order_id in current.standby_orders:
        enrollments.drop_standby(uow, current, event.order_id)
    elif current.order_id == event.order_id and current.standby_orders:
        enrollments.switch_order(uow, current, min(current.standby_orders))
    elif current.order_id == event.order_id:
        enrollments.revoke(uow, current, at)
        uow.raise_event(
            EnrollmentRevoked(
                user_id=event.user_id, course_id=event.course_id, reason="refund", revoked_at=at
            )
        )
    else:
        enrollments.require_no_access_from(uow, event.user_id, event.course_id, event.order_id)
