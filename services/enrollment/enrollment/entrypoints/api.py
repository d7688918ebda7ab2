"""A student's enrolled courses and progress (self only)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app

from enrollment.bootstrap import Learning
from enrollment.views import course_json, progress_json
from shared.auth.access import require_auth
from shared.web.errors import NotFound
from shared.web.responses import ok

bp = Blueprint("progress", __name__, url_prefix="/users/course-progress")


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
        course_json(cards[e.course_id], progress.get(e.course_id), app.playback)
        for e in sorted(active, key=lambda e: e.enrolled_at, reverse=True)
        if e.course_id in cards
    ]
    return ok(data, "Enrolled courses retrieved successfully")


@bp.get("/<userId>/courses/<courseId>")
@require_auth(self_param="userId")
def course_progress(userId: str, courseId: str) -> Response:  # noqa: N803
    app = _app()
    enrollment = app.enrollments.get(userId, courseId)
    progress = app.enrollments.progress(userId, courseId)
    if enrollment is None or not enrollment.active or progress is None:
        raise NotFound("You are not enrolled in this course.", code="not_enrolled")
    card = app.cards.get(courseId)
    return ok(progress_json(enrollment, progress, card), "Course progress retrieved successfully")
