"""Public course endpoints: parse, call a handler, answer JSON."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, request

from catalog import handlers
from catalog.adapters.listing_cache import RenderedPage
from catalog.adapters.repository import Page, StaleCourse
from catalog.bootstrap import Catalog
from catalog.cards import card_json
from catalog.domain.access import Access
from catalog.domain.listing import ListingInvalid, parse_listing
from catalog.domain.media import (
    MediaRefused,
    MediaTooLarge,
    MediaTypeRefused,
    StorageQuotaExceeded,
)
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
PLAYBACK_STREAM = "stream"
"""`?playback=stream`: no signed video URLs in the course; the stream endpoint issues them."""
SAVE_OVERHEAD_BYTES = 1024 * 1024
"""Room a course save needs beside its thumbnail: the outline (300 KB at most) and the form."""


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
        ListingInvalid: (400, "validation_error", "The listing request has invalid fields."),
        MediaTooLarge: (413, "payload_too_large", "The file is too large."),
        StorageQuotaExceeded: (
            413,
            "storage_quota_exceeded",
            "This would exceed the teacher's storage quota (quotaBytes; usedBytes in use).",
        ),
        MediaTypeRefused: (415, "unsupported_media_type", "The file type is not accepted."),
        MediaRefused: (400, "validation_error", "The upload request has invalid fields."),
        handlers.CourseNotFound: (404, "course_not_found", "No such course."),
        handlers.NotOwner: (403, "not_owner", "Only the course's teacher may change it."),
        handlers.CourseIsArchived: (409, "course_archived", "An archived course can't change."),
        StaleCourse: (409, "conflict", "The course kept changing; reload and try again."),
    },
)


@bp.get("/courses")
def list_courses() -> Response:
    """Published course cards, newest first, optionally of a category and matching `q`. The pages
    a plain browse reaches come from the listing cache, which course events invalidate."""
    listing = parse_listing(
        request.args.get("category"),
        request.args.get("q", ""),
        parse_limit(request.args.get("limit")),
    )
    cursor = request.args.get("cursor") or None
    start = decode_cursor(cursor)

    def render() -> RenderedPage:
        courses = _app().courses
        page: Page = (
            courses.search(listing.terms, listing.category, listing.limit, start)
            if listing.terms
            else courses.published(listing.category, listing.limit, start)
        )
        data = [card_json(c, _app().media) for c in page.cards]
        body = json.dumps({"message": COURSES_RETRIEVED, "data": data}).encode()
        return RenderedPage(body, encode_cursor(page.last_key), shareable=bool(data))

    rendered = _app().listing.page(listing.shared_key, cursor, render)
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
    teacher_id = current_principal().user_id
    page = _app().courses.of_teacher(
        teacher_id,
        parse_limit(request.args.get("limit")),
        decode_cursor(request.args.get("cursor")),
    )
    data = [card_json(c, _app().media) for c in page.cards]
    return ok(data, COURSES_RETRIEVED, cursor=encode_cursor(page.last_key))


@bp.get("/courses/<course_id>")
def get_course(course_id: str) -> Response:
    """The course with what the caller may have; `?playback=stream` leaves every `video` out
    (the player then asks the stream endpoint per chapter, so only what is played is issued)."""
    viewer = optional_principal()
    viewer_id = viewer.user_id if viewer else None
    inline_videos = _inline_videos(request.args.get("playback"))
    course, access = handlers.course_page(_app(), course_id, viewer_id, inline_videos)
    body = course_json(course, _app().media, access, inline_videos)
    return ok(body, "Course retrieved successfully")


def _inline_videos(playback: str | None) -> bool:
    if playback not in (None, PLAYBACK_STREAM):
        raise BadRequest(
            "Unknown playback mode.", details={"playback": f"must be {PLAYBACK_STREAM!r} or absent"}
        )
    return playback != PLAYBACK_STREAM


@bp.post("/courses")
@require_auth("teacher")
def create_course() -> Response:
    check_identity_fields(_json_body(), "teacherId")
    course = handlers.create_course(_app(), current_principal().user_id)
    return ok(course_json(course, _app().media, Access.FULL), "Course created successfully", 201)


@bp.put("/courses/<course_id>")
@require_auth("teacher")
def update_course(course_id: str) -> Response:
    _limit_save_size()
    body = _json_body() if request.is_json else request.form.to_dict()
    check_identity_fields(body, "teacherId")
    course = handlers.update_course(
        _app(), current_principal().user_id, course_id, body, _image_change(body)
    )
    return ok(course_json(course, _app().media, Access.FULL), "Course updated successfully")


def _limit_save_size() -> None:
    """Refuse an oversized save before reading it, naming the thumbnail as the likely cause."""
    image_limit = _app().runtime.settings.media.max_image_bytes
    request.max_content_length = image_limit + SAVE_OVERHEAD_BYTES
    request.max_form_memory_size = SAVE_OVERHEAD_BYTES
    if (request.content_length or 0) > request.max_content_length:
        megabytes = image_limit // (1024 * 1024)
        raise MediaTooLarge({"image": f"must be at most {megabytes} MB"})


def _image_change(body: dict[str, Any]) -> handlers.ImageChange:
    """A file in `image` replaces the thumbnail; JSON null removes it; the current reference
    (or an empty form field) keeps it."""
    upload = request.files.get("image")
    if upload is not None and upload.filename:
        return handlers.ImageChange(
            upload=_app().media.thumbnail(upload.stream, upload.mimetype or None)
        )
    value = body.get("image", "")
    if value is None:
        return handlers.ImageChange(remove=True)
    if not isinstance(value, str):
        raise CourseInvalid({"image": "must be an image file (multipart) or null to remove it"})
    return handlers.ImageChange(reference=value or None)


@bp.delete("/courses/<course_id>")
@require_auth("teacher")
def delete_course(course_id: str) -> Response:
    course = handlers.remove_course(_app(), current_principal().user_id, course_id)
    verb = "archived" if course.is_archived else "deleted"
    return ok(course_json(course, _app().media, Access.OUTLINE), f"Course {verb} successfully")


@bp.post("/courses/<course_id>/sections/<section_id>/chapters/<chapter_id>/get-upload-url")
@require_auth("teacher")
def get_upload_url(course_id: str, section_id: str, chapter_id: str) -> Response:
    urls = handlers.upload_url(
        _app(), current_principal().user_id, course_id, section_id, chapter_id, _json_body()
    )
    return ok(urls, "Upload URL generated successfully")
