"""A student's enrolled courses and progress (self only)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, request

from enrollment import handlers
from enrollment.bootstrap import Learning
from enrollment.entrypoints.errors import translate_enrollment_errors
from enrollment.views import course_json, progress_json
from shared.auth.access import check_identity_fields, require_auth
from shared.web.errors import BadRequest, NotFound
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
        course_json(cards[e.course_id], progress.get(e.course_id), app.playback)
        for e in sorted(active, key=lambda e: e.enrolled_at, reverse=True)
        if e.course_id in cards
    ]
    return ok(data, "Enrolled courses retrieved successfully")


@bp.get("/<userId>/courses/<courseId>")
@require_auth(self_param="userId")
def course_progress(userId: str, courseId: str) -> Response:  # noqa: N803
    app = _app()
    try:
        enrollment, progress = handlers.enrolled_progress(app, userId, courseId)
    except handlers.NotEnrolled:
        raise NotFound("You are not enrolled in this course.", code="not_enrolled") from None
    card = app.cards.get(courseId)
    return ok(progress_json(enrollment, progress, card), "Course progress retrieved successfully")


@bp.put("/<userId>/courses/<courseId>")
@require_auth(self_param="userId")
def update_progress(userId: str, courseId: str) -> Response:  # noqa: N803
    body = _json_body()
    check_identity_fields(body, "userId")
    enrollment, progress, card = handlers.report_progress(_app(), userId, courseId, body)
    return ok(progress_json(enrollment, progress, card), "Course progress updated successfully")


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("The body must be a JSON object.", code="malformed_json")
    return body
