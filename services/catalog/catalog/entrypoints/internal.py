"""Internal endpoints for other services (never routed by the gateway)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app

from catalog import views
from catalog.bootstrap import Catalog
from catalog.domain.model import Course
from catalog.entrypoints.errors import translate_catalog_errors
from catalog.errors import CourseNotFound
from shared.auth.access import require_internal
from shared.web.responses import ok

bp = Blueprint("internal", __name__, url_prefix="/internal")
translate_catalog_errors(bp)


def _course(catalog: Catalog, course_id: str) -> Course:
    course = catalog.courses.get(course_id)
    if course is None:
        raise CourseNotFound(course_id)
    return course


@bp.get("/courses/<course_id>")
@require_internal
def course_price(course_id: str) -> Response:
    """Authoritative price and status, for billing's create-order."""
    catalog: Catalog = current_app.extensions["catalog"]
    return ok(views.priced_course(_course(catalog, course_id)).wire())


@bp.get("/courses/<course_id>/playback/<user_id>")
@require_internal
def issued_playback(course_id: str, user_id: str) -> Response:
    """The course's paid video chapters and those whose playback URL a course page gave the
    user, for billing's refund rule."""
    catalog: Catalog = current_app.extensions["catalog"]
    course = _course(catalog, course_id)
    issued = catalog.issued_playback.chapters(course_id, user_id)
    return ok(views.course_playback(course, user_id, issued).wire())
