"""Mentorship endpoints: availability, slots, booking, lifecycle, invites and video tokens."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from mentorship import errors, views
from mentorship.adapters.repository import SessionChanged, SlotTaken, UpcomingChanged
from mentorship.adapters.video_tokens import VideoUnavailable
from mentorship.bootstrap import Mentorship
from mentorship.commands import (
    BookSession,
    ChangeSessionStatus,
    FindOpenSlots,
    IssueVideoToken,
    SetAvailability,
    ShowSession,
)
from mentorship.domain.availability import AvailabilityInvalid, as_saved
from mentorship.domain.session import TeacherOnly, TransitionRefused
from mentorship.domain.upcoming import BookingLimitReached
from shared.api.mentorship import AvailabilityBody, BookingBody, SlotsQuery, StatusChangeBody
from shared.auth.access import current_principal, require_auth
from shared.ics import session_link
from shared.web.body import parse_body, parse_object
from shared.web.errors import BadRequest, NotFound, translate_errors
from shared.web.responses import decode_cursor, encode_cursor, ok, parse_limit

bp = Blueprint("mentorship", __name__, url_prefix="/mentorship")
ROLES = ("student", "teacher")

translate_errors(
    bp,
    {
        AvailabilityInvalid: (400, "validation_error", "The availability has invalid fields."),
        errors.BookingInvalid: (400, "validation_error", "The request has invalid fields."),
        errors.CourseUnknown: (404, "course_not_found", "No such course."),
        errors.NotEnrolled: (
            403,
            "not_enrolled",
            "Only students enrolled in the course may book or join its sessions.",
        ),
        errors.NoAvailability: (409, "no_availability", "The teacher has no open slots."),
        BookingLimitReached: (
            409,
            "booking_limit_reached",
            "You already hold the most upcoming sessions allowed with this teacher.",
        ),
        UpcomingChanged: (409, "conflict", "Your sessions changed meanwhile; try again."),
        SlotTaken: (409, "slot_taken", "That slot was just booked; pick another one."),
        errors.SessionNotFound: (404, "session_not_found", "No such session."),
        SessionChanged: (409, "conflict", "The session changed meanwhile; reload it."),
        TransitionRefused: (409, "transition_not_allowed", "That status change is not allowed."),
        TeacherOnly: (403, "teacher_only", "Only the session's teacher may do that."),
        errors.TokenWindowClosed: (409, "not_joinable", "The session can't be joined now."),
        VideoUnavailable: (503, "video_unavailable", "Video calls are not configured."),
    },
)


def _app() -> Mentorship:
    mentorship: Mentorship = current_app.extensions["mentorship"]
    return mentorship


@bp.put("/availability")
@require_auth("teacher")
def put_availability() -> Response:
    body = parse_body(AvailabilityBody)
    availability = _app().set_availability(SetAvailability(current_principal().user_id, body))
    return ok(as_saved(availability).wire(), "Availability saved")


@bp.get("/availability")
@require_auth("teacher")
def get_availability() -> Response:
    availability = _app().repository.availability(current_principal().user_id)
    if availability is None:
        raise NotFound("You have not set your availability yet.", code="no_availability")
    return ok(as_saved(availability).wire(), "Availability retrieved")


@bp.get("/availability/<teacherId>/slots")
@require_auth()
def slots(teacherId: str) -> Response:  # noqa: N803 - path names are the API's
    query = parse_object(SlotsQuery, {name: value for name, value in request.args.items() if value})
    found = _app().open_slots(FindOpenSlots(teacherId, query.since, query.to, query.course_id))
    response = ok([s.wire() for s in found.slots], "Slots retrieved")
    if found.timezone is not None:
        response.headers["X-Teacher-Timezone"] = found.timezone
    return response


@bp.post("")
@require_auth("student")
def book() -> Response:
    body = parse_body(BookingBody)
    command = BookSession(current_principal().user_id, body.teacher_id, body.course_id, body.date)
    session = _app().book_session(command)
    return ok(views.session(session).wire(), "Session booked", status=201)


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
    data = [views.session(s).wire() for s in page.sessions]
    return ok(data, "Sessions retrieved", cursor=encode_cursor(page.last_key))


@bp.get("/<sessionId>")
@require_auth()
def get_session(sessionId: str) -> Response:  # noqa: N803
    session = _app().show_session(ShowSession(sessionId, current_principal().user_id))
    return ok(views.session(session).wire(), "Session retrieved")


@bp.patch("/<sessionId>")
@require_auth()
def change_status(sessionId: str) -> Response:  # noqa: N803
    body = parse_body(StatusChangeBody)
    command = ChangeSessionStatus(sessionId, current_principal().user_id, body.status)
    session = _app().change_status(command)
    return ok(views.session(session).wire(), f"Session {session.status}")


@bp.get("/<sessionId>/ics")
@require_auth()
def invite(sessionId: str) -> Response:  # noqa: N803
    app = _app()
    session = app.show_session(ShowSession(sessionId, current_principal().user_id))
    link = session_link(app.settings.client_urls[0], session.session_id)
    return Response(
        views.session_ics(session, link),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="session-{sessionId}.ics"'},
    )


@bp.get("/token/<sessionId>")
@require_auth()
def video_token(sessionId: str) -> Response:  # noqa: N803
    app = _app()
    grant = app.issue_video_token(IssueVideoToken(sessionId, current_principal().user_id))
    token = views.video_token(grant, app.settings.mentorship.agora_app_id)
    return ok(token.wire(), "Video token issued")
