"""Enrollment's commands and event handlers; the routing table is at the bottom."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from enrollment.adapters.repository import EnrollmentRepository, StaleProgress
from enrollment.domain.model import DELETED_COURSE, Enrollment, Progress
from enrollment.domain.progress import apply_report, parse_report
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
from shared.messaging.consumer import EventHandler
from shared.messaging.unit_of_work import UnitOfWork
from shared.readmodels.course_cards import CourseCards, course_card_handlers
from shared.retry import retry_on_conflict

if TYPE_CHECKING:
    from enrollment.bootstrap import Learning

SAVE_ATTEMPTS = 10


class NotEnrolled(Exception):
    """The caller has no active enrollment in the course."""


class CourseUnknown(Exception):
    """No such course (or chapter) in enrollment's read model."""


class NoVideo(Exception):
    """The chapter has no video to play."""


class SignInToWatch(Exception):
    """The chapter is for enrolled students and the caller is anonymous."""


class NotOwner(Exception):
    """Only the course's teacher may see this."""


@dataclass(frozen=True)
class Stream:
    url: str
    expires_at: str


def enrolled_progress(app: Learning, user_id: str, course_id: str) -> tuple[Enrollment, Progress]:
    enrollment = app.enrollments.get(user_id, course_id)
    progress = app.enrollments.progress(user_id, course_id)
    if enrollment is None or not enrollment.active or progress is None:
        raise NotEnrolled(course_id)
    return enrollment, progress


def report_progress(
    app: Learning, user_id: str, course_id: str, body: dict[str, Any]
) -> tuple[Enrollment, Progress, CourseSnapshot]:
    """Apply a player's report; each chapter completes once and the course once, however many
    reports race (each save is conditional on the version it read, and retried)."""
    course = app.cards.get(course_id)
    if course is None:
        raise CourseUnknown(course_id)
    reports = parse_report(body, course)

    def save(_attempt: int) -> tuple[Enrollment, Progress, CourseSnapshot]:
        enrollment, current = enrolled_progress(app, user_id, course_id)
        now = now_iso()
        outcome = apply_report(
            current, reports, course, app.settings.progress_complete_percent, now
        )
        uow = app.runtime.unit_of_work()
        app.enrollments.save_progress(uow, outcome.progress, current.version)
        for chapter_id in outcome.newly_completed:
            uow.raise_event(
                ChapterCompleted(
                    user_id=user_id, course_id=course_id, chapter_id=chapter_id, completed_at=now
                )
            )
        if outcome.course_completed:
            uow.raise_event(CourseCompleted(user_id=user_id, course_id=course_id, completed_at=now))
        uow.commit()
        return enrollment, outcome.progress, course

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


def stream(app: Learning, course_id: str, chapter_id: str, viewer_id: str | None) -> Stream:
    """A signed playback URL for the owner, an enrolled student, or a free-preview chapter of a
    published course. A paid chapter issued to a student is recorded first (billing's refund
    rule counts it)."""
    course = app.cards.get(course_id)
    if course is None or course.status == DELETED_COURSE:
        raise CourseUnknown(course_id)
    chapter = _chapter(course, chapter_id)
    if not chapter.video_key:
        raise NoVideo(chapter_id)
    open_preview = chapter.free_preview and course.status == "Published"
    if open_preview or (viewer_id is not None and viewer_id == course.teacher_id):
        return _signed(app, chapter.video_key)
    if viewer_id is None:
        raise SignInToWatch(chapter_id)
    if not _enrolled(app, viewer_id, course_id):
        raise NotEnrolled(course_id)
    if not chapter.free_preview:
        app.issued_playback.record(course_id, viewer_id, (chapter_id,))
    return _signed(app, chapter.video_key)


def _signed(app: Learning, video_key: str) -> Stream:
    expires = utc_now() + timedelta(seconds=app.settings.media.playback_url_seconds)
    return Stream(app.playback.sign(video_key), iso(expires))


def _enrolled(app: Learning, user_id: str, course_id: str) -> bool:
    enrollment = app.enrollments.get(user_id, course_id)
    return enrollment is not None and enrollment.active


def owned_course(app: Learning, teacher_id: str, course_id: str) -> CourseSnapshot:
    course = app.cards.get(course_id)
    if course is None or course.status == DELETED_COURSE:
        raise CourseUnknown(course_id)
    if course.teacher_id != teacher_id:
        raise NotOwner(course_id)
    return course


def enroll_buyer(enrollments: EnrollmentRepository) -> EventHandler:
    def handle(event: PaymentSucceeded, _: Envelope, uow: UnitOfWork) -> None:
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

    return handle


def revoke_refunded(enrollments: EnrollmentRepository) -> EventHandler:
    def handle(event: RefundSucceeded, _: Envelope, uow: UnitOfWork) -> None:
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

    return handle


def event_handlers(
    enrollments: EnrollmentRepository, cards: CourseCards
) -> Mapping[str, EventHandler]:
    return {
        PaymentSucceeded.EVENT_TYPE: enroll_buyer(enrollments),
        RefundSucceeded.EVENT_TYPE: revoke_refunded(enrollments),
        **course_card_handlers(cards),
    }
