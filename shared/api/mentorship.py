"""Mentorship: a teacher's availability and slots, booked sessions, invites, video tokens."""

from __future__ import annotations

from shared.api.common import INVALID, NEXT_CURSOR, PAGE, error
from shared.api.spec import (
    Answer,
    Body,
    Operations,
    OperationSpec,
    Param,
    Schema,
    array,
    envelope,
    integer,
    obj,
    one_of_values,
    ref,
    string,
    timestamp,
)

TAG = "mentorship"
STATUSES = ("scheduled", "completed", "cancelled")
CLOCK = string("HH:MM on the 5-minute grid.", pattern="^([01][0-9]|2[0-3]):[0-5][05]$")
END_CLOCK = string(
    "HH:MM on the 5-minute grid, or 24:00.", pattern="^(([01][0-9]|2[0-3]):[0-5][05]|24:00)$"
)
DATE = string(format="date")

WEEKLY_RANGE = obj(
    {
        "day": integer("0 = Sunday … 6 = Saturday, as JavaScript's getDay.", minimum=0, maximum=6),
        "start": CLOCK,
        "end": END_CLOCK,
    },
    closed=True,
)
DAY_OFF = obj({"date": DATE, "available": {"const": False}}, closed=True)
OTHER_HOURS = obj({"date": DATE, "start": CLOCK, "end": END_CLOCK}, closed=True)
RULES: dict[str, Schema] = {
    "timezone": string("An IANA time zone, e.g. Europe/London."),
    "weekly": array(WEEKLY_RANGE, maxItems=200),
    "slotMinutes": integer(minimum=15, maximum=180, multipleOf=5),
    "bufferMinutes": integer(minimum=0, maximum=60, multipleOf=5),
    "minNoticeHours": integer(minimum=0, maximum=720),
    "maxDaysAhead": integer(minimum=1, maximum=365),
}

SCHEMAS: dict[str, Schema] = {
    "Availability": obj(
        {
            **RULES,
            "exceptions": array(
                {"anyOf": [DAY_OFF, OTHER_HOURS]},
                description="A day off, or other hours on a date (they replace its weekly ones).",
            ),
        }
    ),
    "Slot": obj({"start": timestamp(), "end": timestamp()}),
    "MentorshipSession": obj(
        {
            "sessionId": string(),
            "studentId": string(),
            "teacherId": string(),
            "courseId": string(),
            "date": timestamp("The start."),
            "endsAt": timestamp(),
            "status": one_of_values(*STATUSES),
            "studentName": string(),
            "teacherName": string(),
            "createdAt": timestamp(),
            "updatedAt": timestamp(),
        }
    ),
    "VideoToken": obj(
        {
            "token": string("An Agora token for this session's channel only."),
            "channelName": string("The session id."),
            "uid": integer("The caller's stable non-zero 32-bit id.", minimum=1),
            "expiresAt": timestamp(),
            "appId": string(),
        }
    ),
}

SESSION = envelope(ref("MentorshipSession"))
NO_SESSION = error("No such session of the caller's (`session_not_found`).")

OPERATIONS: Operations = {
    "PUT /mentorship/availability": OperationSpec(
        TAG,
        {200: Answer("The saved availability.", envelope(ref("Availability"))), 400: INVALID},
        "Times and lengths on the 5-minute grid; unknown fields are refused.",
        body=Body(
            obj(
                RULES,
                {"exceptions": array({"anyOf": [DAY_OFF, OTHER_HOURS]}, maxItems=500)},
                closed=True,
            )
        ),
    ),
    "GET /mentorship/availability": OperationSpec(
        TAG,
        {
            200: Answer("The caller's availability.", envelope(ref("Availability"))),
            404: error("Not set yet (`no_availability`)."),
        },
    ),
    "GET /mentorship/availability/{teacherId}/slots": OperationSpec(
        TAG,
        {
            200: Answer(
                "Free slots in UTC, DST-correct, booked ones left out.",
                envelope(array(ref("Slot"))),
                headers={"X-Teacher-Timezone": "The teacher's IANA time zone."},
            ),
            400: INVALID,
            404: error("No such course (`course_not_found`)."),
        },
        params=(
            Param("from", timestamp(), "Start of the window (default now)."),
            Param("to", timestamp(), "End of the window (default from + 7 days, at most 31)."),
            Param("courseId", string(), "Only if this teacher teaches that course."),
        ),
    ),
    "POST /mentorship": OperationSpec(
        TAG,
        {
            201: Answer("The booked session.", SESSION),
            400: INVALID,
            403: error("Not enrolled in the course (`not_enrolled`)."),
            404: error("No such course (`course_not_found`)."),
            409: error(
                "`slot_taken`, `no_availability`, or `booking_limit_reached` (the student already"
                " holds `MAX_UPCOMING_SESSIONS_PER_TEACHER` upcoming sessions with this teacher)."
            ),
        },
        "The caller must be enrolled in the course, the teacher teach it, and `date` be the"
        " start of a free slot.",
        body=Body(
            obj(
                {
                    "teacherId": string(minLength=1),
                    "courseId": string(minLength=1),
                    "date": timestamp("The slot's start."),
                },
                {"studentId": string("Must be the caller when present (else 403).")},
            )
        ),
    ),
    "GET /mentorship/user/{userId}": OperationSpec(
        TAG,
        {
            200: Answer(
                "Sessions, soonest first.",
                envelope(array(ref("MentorshipSession"))),
                headers=NEXT_CURSOR,
            ),
            400: INVALID,
        },
        params=(
            Param("type", one_of_values("student", "teacher"), "Default: the caller's role."),
            *PAGE,
        ),
        path_params={"userId": string("The caller's own id.")},
    ),
    "GET /mentorship/{sessionId}": OperationSpec(
        TAG, {200: Answer("The session.", SESSION), 404: NO_SESSION}
    ),
    "PATCH /mentorship/{sessionId}": OperationSpec(
        TAG,
        {
            200: Answer("The session after the change.", SESSION),
            400: INVALID,
            403: error("Only the teacher completes a session (`teacher_only`)."),
            404: NO_SESSION,
            409: error("That transition is not allowed now (`transition_not_allowed`)."),
        },
        "`cancelled` by either party up to the cancellation window before the start;"
        " `completed` by the teacher once it started.",
        body=Body(obj({"status": one_of_values(*STATUSES)})),
    ),
    "GET /mentorship/{sessionId}/ics": OperationSpec(
        TAG,
        {
            200: Answer(
                "An iCalendar invite (UTC times, the join link).",
                media_types={"text/calendar": string()},
                headers={"Content-Disposition": "The file name."},
            ),
            404: NO_SESSION,
        },
    ),
    "GET /mentorship/token/{sessionId}": OperationSpec(
        TAG,
        {
            200: Answer("The caller's token.", envelope(ref("VideoToken"))),
            403: error("The student no longer holds the session's course (`not_enrolled`)."),
            404: NO_SESSION,
            409: error("Not joinable now (`not_joinable`)."),
            503: error("Video calls are not configured (`video_unavailable`)."),
        },
        "A scheduled session, from 10 minutes before its start to its end.",
    ),
}
