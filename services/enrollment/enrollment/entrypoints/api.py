"""A student's enrolled courses and progress (self only)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app

from enrollment import views
from enrollment.bootstrap import Learning
from enrollment.commands import ReportProgress, ShowProgress
from enrollment.domain.progress import ChapterReport, SectionReport
from enrollment.entrypoints.errors import translate_enrollment_errors
from enrollment.errors import NotEnrolled
from shared.api.learning import ProgressBody
from shared.auth.access import require_auth
from shared.web.body import parse_body
from shared.web.errors import NotFound
from shared.web.responses import ok

bp = Blueprint("progress", __name__, url_prefix="/users/course-progress")
translate_enrollment_errors(bp)


def _app() -> Learning:
    learning: Learning = current_app.extensions["learning"]
    return learning


@bp.get("/<userId>/enrolled-courses")
@require_auth(self_param="userId")
def enrolled_courses(userId: str) -> Response:  # noqa: N803 - path names are the API's
    app = _app()
    enrollments, progress = app.enrollments.of_user(userId)
    active = [e for e in enrollments if e.active]
    cards = app.cards.get_many(e.course_id for e in active)
    data = [
        views.enrolled_course(cards[e.course_id], progress.get(e.course_id), app.playback).wire()
        for e in sorted(active, key=lambda e: e.enrolled_at, reverse=True)
        if e.course_id in cards
    ]
    return ok(data, "Enrolled courses retrieved successfully")


@bp.get("/<userId>/courses/<courseId>")
@require_auth(self_param="userId")
def course_progress(userId: str, courseId: str) -> Response:  # noqa: N803
    app = _app()
    try:
        enrollment, progress = app.show_progress(ShowProgress(userId, courseId))
    except NotEnrolled:  # reading progress one does not have is a 404, reporting it a 403
        raise NotFound("You are not enrolled in this course.", code="not_enrolled") from None
    data = views.course_progress(enrollment, progress, app.cards.get(courseId)).wire()
    return ok(data, "Course progress retrieved successfully")


@bp.put("/<userId>/courses/<courseId>")
@require_auth(self_param="userId")
def update_progress(userId: str, courseId: str) -> Response:  # noqa: N803
    body = parse_body(ProgressBody)
    report = _app().report_progress(ReportProgress(userId, courseId, reported_sections(body)))
    data = views.course_progress(report.enrollment, report.progress, report.course).wire()
    return ok(data, "Course progress updated successfully")


def reported_sections(body: ProgressBody) -> tuple[SectionReport, ...]:
    return tuple(
        SectionReport(
            section.section_id,
            tuple(
                ChapterReport(
                    chapter.chapter_id,
                    chapter.completed,
                    chapter.watched_percent,
                    chapter.position_seconds,
                )
                for chapter in section.chapters
            ),
        )
        for section in body.sections
    )
