"""Internal endpoints for other services (never routed by the gateway)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app

from enrollment import views
from enrollment.bootstrap import Learning
from shared.auth.access import require_internal
from shared.web.responses import ok

bp = Blueprint("internal", __name__, url_prefix="/internal")


@bp.get("/progress/<user_id>/<course_id>")
@require_internal
def standing(user_id: str, course_id: str) -> Response:
    """Whether the user is enrolled, how far they got, and which paid chapters' playback URLs
    the stream endpoint issued them, for billing's refund rule."""
    learning: Learning = current_app.extensions["learning"]
    enrollment = learning.enrollments.get(user_id, course_id)
    progress = learning.enrollments.progress(user_id, course_id)
    course = learning.cards.get(course_id) if progress else None
    issued = learning.issued_playback.chapters(course_id, user_id)
    return ok(views.standing(user_id, course_id, enrollment, progress, course, issued).wire())
