"""Public course endpoints: parse, call a handler, answer JSON."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, request

from catalog import handlers
from catalog.adapters.repository import StaleCourse
from catalog.bootstrap import Catalog
from catalog.domain.validation import CourseInvalid
from catalog.views import course_json
from shared.auth.access import (
    check_identity_fields,
    current_principal,
    optional_principal,
    require_auth,
)
from shared.web.errors import BadRequest, translate_errors
from shared.web.responses import decode_cursor, encode_cursor, ok, parse_limit

bp = Blueprint("courses", __name__)
COURSES_RETRIEVED = "Courses retrieved successfully"


def _app() -> Catalog:
    catalog: Catalog = current_app.extensions["catalog"]
    return catalog


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if body is None and request.content_length:
        raise BadRequest("The body must be JSON.", code="malformed_json")
    if body is not None and not isinstance(body, dict):
        raise BadRequest("The body must be a JSON object.", code="malformed_json")
    return body or {}


translate_errors(
    bp,
    {
        CourseInvalid: (400, "validation_error", "The course has invalid fields."),
        handlers.CourseNotFound: (404, "course_not_found", "No such course."),
        handlers.NotOwner: (403, "not_owner", "Only the course's teacher may change it."),
        StaleCourse: (409, "conflict", "The course kept changing; reload and try again."),
    },
)


@bp.get("/courses")
def list_courses() -> Response:
    """What everyone but a teacher sees (a teacher may own a listed course and see its media)
    comes from a short cache of the rendered page."""
    category = request.args.get("category") or None
    category = None if category in (None, "all") else category
    limit = parse_limit(request.args.get("limit"))
    start = decode_cursor(request.args.get("cursor"))
    viewer = optional_principal()
    if viewer is not None and viewer.role == "teacher":
        page = _app().courses.published(category, limit, start)
        data = [course_json(c, viewer.user_id) for c in page.courses]
        return ok(data, COURSES_RETRIEVED, cursor=encode_cursor(page.last_key))

    def render() -> tuple[bytes, str | None]:
        page = _app().courses.published(category, limit, start)
        body = {"message": COURSES_RETRIEVED, "data": [course_json(c, None) for c in page.courses]}
        return json.dumps(body).encode(), encode_cursor(page.last_key)

    key = (category, limit, request.args.get("cursor"))
    body, cursor = _app().public_pages.get(key, render)
    response = Response(body, mimetype="application/json")
    if cursor:
        response.headers["X-Next-Cursor"] = cursor
    return response


@bp.get("/courses/teacher")
@require_auth("teacher")
def teacher_courses() -> Response:
    teacher_id = current_principal().user_id
    page = _app().courses.of_teacher(
        teacher_id,
        parse_limit(request.args.get("limit")),
        decode_cursor(request.args.get("cursor")),
    )
    data = [course_json(c, teacher_id) for c in page.courses]
    return ok(data, COURSES_RETRIEVED, cursor=encode_cursor(page.last_key))


@bp.get("/courses/<course_id>")
def get_course(course_id: str) -> Response:
    viewer = optional_principal()
    viewer_id = viewer.user_id if viewer else None
    course = handlers.visible_course(_app(), course_id, viewer_id)
    return ok(course_json(course, viewer_id), "Course retrieved successfully")


@bp.post("/courses")
@require_auth("teacher")
def create_course() -> Response:
    check_identity_fields(_json_body(), "teacherId")
    course = handlers.create_course(_app(), current_principal().user_id)
    return ok(course_json(course, course.teacher_id), "Course created successfully", status=201)


@bp.put("/courses/<course_id>")
@require_auth("teacher")
def update_course(course_id: str) -> Response:
    body = _json_body() if request.is_json else request.form.to_dict()
    check_identity_fields(body, "teacherId")
    course = handlers.update_course(_app(), current_principal().user_id, course_id, body)
    return ok(course_json(course, course.teacher_id), "Course updated successfully")
