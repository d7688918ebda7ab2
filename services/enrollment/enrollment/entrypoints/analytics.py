"""A teacher's analytics of one of their courses, as JSON or a CSV export."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from enrollment.analytics import course_report, progress_csv
from enrollment.bootstrap import Learning
from enrollment.commands import ShowCourseAnalytics
from enrollment.entrypoints.errors import translate_enrollment_errors
from shared.auth.access import current_principal, require_auth
from shared.web.errors import BadRequest
from shared.web.responses import ok

bp = Blueprint("analytics", __name__, url_prefix="/teacher/analytics")
translate_enrollment_errors(bp)
FORMATS = ("json", "csv")


@bp.get("/courses/<courseId>")
@require_auth("teacher")
def course_analytics(courseId: str) -> Response:  # noqa: N803 - path names are the API's
    """Enrollments found with a Query on the course's index, their progress loaded by key."""
    output = request.args.get("format", "json")
    if output not in FORMATS:
        raise BadRequest("Unknown format.", details={"format": "must be json or csv"})
    learning: Learning = current_app.extensions["learning"]
    course = learning.owned_course(ShowCourseAnalytics(current_principal().user_id, courseId))
    enrollments = learning.course_progress.enrollments(courseId)
    progress = learning.course_progress.progress(courseId, enrollments["userId"].tolist())
    if output == "csv":
        return Response(
            progress_csv(course, enrollments, progress),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="progress-{courseId}.csv"'},
        )
    return ok(course_report(course, enrollments, progress).wire(), "Course analytics retrieved")
