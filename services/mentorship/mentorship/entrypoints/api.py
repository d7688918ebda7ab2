"""Mentorship endpoints: availability, slots, booking, lifecycle, invites and video tokens."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, request

from mentorship import handlers
from mentorship.adapters.repository import SessionChanged, SlotTaken, UpcomingChanged
from mentorship.adapters.video_tokens import VideoUnavailable
from mentorship.bootstrap import Mentorship
from mentorship.domain.availability import AvailabilityInvalid, availability_document
from mentorship.domain.session import TeacherOnly, TransitionRefused
from mentorship.domain.upcoming import BookingLimitReached
from mentorship.views import session_ics, session_json, slot_json
from shared.auth.access import check_identity_fields, current_principal, require_auth
from shared.clock import iso
from shared.ics import session_link
from shared.web.errors import BadRequest, NotFound, translate_errors
from shared.web.responses import decode_cursor, encode_cursor, ok, parse_limit

bp = Blueprint("mentorship", __name__, url_prefix="/mentorship")
ROLES = ("student", "teacher")

translate_errors(
    bp,
    {
        AvailabilityInvalid: (400, "validation_error", "The availability has invalid fields."),
        handlers.BookingInvalid: (400, "validation_error", "The request has invalid fields."),
        handlers.CourseUnknown: (404, "course_not_found", "No such course."),
        handlers.NotEnrolled: (
            403,
            "not_enrolled",
            "Only students enrolled in the course may book or join its sessions.",
        ),
        handlers.NoAvailability: (409, "no_availability", "The teacher has no open slots."),
        BookingLimitReached: (
            409,
            "booking_limit_reached",
            "You already hold the most upcoming sessions allowed with this teacher.",
        ),
        UpcomingChanged: (409, "conflict", "Your sessions changed meanwhile; try again."),
        SlotTaken: (409, "slot_taken", "That slot was just booked; pick another one."),
        handlers.SessionNotFound: (404, "session_not_found", "No such session."),
        SessionChanged: (409, "conflict", "The session changed meanwhile; reload it."),
        TransitionRefused: (409, "transition_not_allowed", "That status change is not allowed."),
        TeacherOnly: (403, "teacher_only", "Only the session's teacher may do that."),
        handlers.TokenWindowClosed: (409, "not_joinable", "The session can't be joined now."),
        VideoUnavailable: (503, "video_unavailable", "Video calls are not configured."),
    },
)


def _app() -> Mentorship:
    mentorship: Mentorship = current_app.extensions["mentorship"]
    return mentorship


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("The body must be a JSON object.", code="malformed_json")
    return body


@bp.put("/availability")
@require_auth("teacher")
def put_availability() -> Response:
    availability = handlers.set_availability(_app(), current_principal().user_id, _json_body())
    return ok(availability_document(availability), "Availability saved")


@bp.get("/availability")
@require_auth("teacher")
def get_availability() -> Response:
    availability = _app().repository.availability(current_principal().user_id)
    if availability is None:
        raise NotFound("You have not set your availability yet.", code="no_availability")
    return ok(availability_document(availability), "Availability retrieved")


@bp.get("/availability/<teacherId>/slots")
@require_auth()
def slots(teacherId: str) -> Response:  # noqa: N803 - path names are the API's
    availability, free = handlers.open_slots(_app(), teacherId, request.args)
    response = ok([slot_json(s) for s in free], "Slots retrieved")
    if availability is not None:
        response.headers["X-Teacher-Timezone"] = availability.timezone
    return response


@bp.post("")
@require_auth("student")
def book() -> Response:
    body = _json_body()
    check_identity_fields(body, "studentId")
    session = handlers.book(_app(), current_principal().user_id, body)
    return ok(session_json(session), "Session booked", status=201)


@bp.get("/user/<userId>")
@require_auth(self_param="userId")
def sessions_of(userId: str) -> Response:  # noqa: N803
    role = request.args.get("type") or current_principal().role
    if role not in ROLES:
        raise BadRequest("Unknown session list.", details={"type": "must be student or teacher"})
    page = _app().repository.of_user(
        role,
        userId,
        parse_limit(request.args.get("limit")),
        decode_cursor(request.args.get("cursor")),
    )
    data = [session_json(s) for s in page.sessions]
    return ok(data, "Sessions retrieved", cursor=encode_cursor(page.last_key))


@bp.get("/<sessionId>")
@require_auth()
def get_session(sessionId: str) -> Response:  # noqa: N803
    session = handlers.session_for(_app(), sessionId, current_principal().user_id)
    return ok(session_json(session), "Session retrieved")


@bp.patch("/<sessionId>")
@require_auth()
def change_status(sessionId: str) -> Response:  # noqa: N803
    session = handlers.change_status(_app(), sessionId, current_principal().user_id, _json_body())
    return ok(session_json(session), f"Session {session.status}")


@bp.get("/<sessionId>/ics")
@require_auth()
def invite(sessionId: str) -> Response:  # noqa: N803
    session = handlers.session_for(_app(), sessionId, current_principal().user_id)
    link = session_link(_app().settings.client_urls[0], session.session_id)
    return Response(
        session_ics(session, link),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="session-{sessionId}.ics"'},
    )


@bp.get("/token/<sessionId>")
@require_auth()
def video_token(sessionId: str) -> Response:  # noqa: N803
    grant = handlers.video_grant(_app(), sessionId, current_principal().user_id)
    return ok(
        {
            "token": grant.token,
            "channelName": grant.channel,
            "uid": grant.uid,
            "expiresAt": iso(grant.expires_at),
            "appId": _app().settings.mentorship.agora_app_id,
        },
        "Video token issued",
    )
