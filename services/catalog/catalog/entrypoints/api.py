"""Public course endpoints: parse, build the command, call its handler, answer JSON."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from catalog.bootstrap import Catalog
from catalog.cards import card_json
from catalog.commands import CreateCourse, ListCourses, RemoveCourse, RequestVideoUpload, ShowCourse
from catalog.domain.access import Access
from catalog.domain.listing import parse_listing
from catalog.entrypoints.bodies import save_command
from catalog.entrypoints.errors import translate_catalog_errors
from catalog.views import COURSES_RETRIEVED, shown_course
from shared.api.courses import CreateCourseBody, VideoUploadBody
from shared.auth.access import current_principal, optional_principal, require_auth
from shared.web.body import parse_body
from shared.web.errors import BadRequest
from shared.web.responses import decode_cursor, encode_cursor, ok, parse_limit

bp = Blueprint("courses", __name__)
translate_catalog_errors(bp)
PLAYBACK_STREAM = "stream"
"""`?playback=stream`: no signed video URLs in the course; the stream endpoint issues them."""


def _app() -> Catalog:
    catalog: Catalog = current_app.extensions["catalog"]
    return catalog


@bp.get("/courses")
def list_courses() -> Response:
    """Published course cards, newest first, optionally of a category and matching `q`. A page
    the listing cache holds may be kept by any cache that asks again before reuse."""
    listing = parse_listing(
        request.args.get("category"),
        request.args.get("q", ""),
        parse_limit(request.args.get("limit")),
    )
    cursor = request.args.get("cursor") or None
    rendered = _app().list_courses(ListCourses(listing, cursor, decode_cursor(cursor)))
    response = Response(rendered.body, mimetype="application/json")
    if rendered.next_cursor:
        response.headers["X-Next-Cursor"] = rendered.next_cursor
    if rendered.public:
        # any cache may keep it, but must ask again before reuse: the gateway holds it for a
        # moment only (GATEWAY_EDGE_CACHE_SECONDS), so a change still shows within a second
        response.headers["Cache-Control"] = "public, no-cache"
    return response


@bp.get("/courses/teacher")
@require_auth("teacher")
def teacher_courses() -> Response:
    app = _app()
    page = app.courses.of_teacher(
        current_principal().user_id,
        parse_limit(request.args.get("limit")),
        decode_cursor(request.args.get("cursor")),
    )
    data = [card_json(card, app.media) for card in page.cards]
    return ok(data, COURSES_RETRIEVED, cursor=encode_cursor(page.last_key))


@bp.get("/courses/<course_id>")
def get_course(course_id: str) -> Response:
    """The course with what the caller may have; `?playback=stream` leaves every `video` out
    (the player then asks the stream endpoint per chapter, so only what is played is issued)."""
    viewer = optional_principal()
    inline_videos = _inline_videos(request.args.get("playback"))
    query = ShowCourse(course_id, viewer.user_id if viewer else None, inline_videos)
    course, access = _app().show_course(query)
    body = shown_course(course, _app().media, access, inline_videos)
    return ok(body.wire(), "Course retrieved successfully")


def _inline_videos(playback: str | None) -> bool:
    if playback not in (None, PLAYBACK_STREAM):
        raise BadRequest(
            "Unknown playback mode.", details={"playback": f"must be {PLAYBACK_STREAM!r} or absent"}
        )
    return playback != PLAYBACK_STREAM


@bp.post("/courses")
@require_auth("teacher")
def create_course() -> Response:
    parse_body(CreateCourseBody)
    course = _app().create_course(CreateCourse(current_principal().user_id))
    body = shown_course(course, _app().media, Access.FULL)
    return ok(body.wire(), "Course created successfully", 201)


@bp.put("/courses/<course_id>")
@require_auth("teacher")
def update_course(course_id: str) -> Response:
    app = _app()
    teacher_id = current_principal().user_id
    command = save_command(app.media, app.settings.media.max_image_bytes, teacher_id, course_id)
    course = app.save_course(command)
    return ok(shown_course(course, app.media, Access.FULL).wire(), "Course updated successfully")


@bp.delete("/courses/<course_id>")
@require_auth("teacher")
def delete_course(course_id: str) -> Response:
    course = _app().remove_course(RemoveCourse(current_principal().user_id, course_id))
    verb = "archived" if course.is_archived else "deleted"
    body = shown_course(course, _app().media, Access.OUTLINE)
    return ok(body.wire(), f"Course {verb} successfully")


@bp.post("/courses/<course_id>/sections/<section_id>/chapters/<chapter_id>/get-upload-url")
@require_auth("teacher")
def get_upload_url(course_id: str, section_id: str, chapter_id: str) -> Response:
    body = parse_body(VideoUploadBody)
    command = RequestVideoUpload(
        current_principal().user_id,
        course_id,
        section_id,
        chapter_id,
        body.file_name,
        body.file_type,
        body.file_size,
    )
    return ok(_app().request_video_upload(command).wire(), "Upload URL generated successfully")
