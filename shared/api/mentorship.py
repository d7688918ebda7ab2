"""Mentorship: a teacher's availability and slots, booked sessions, invites, video tokens."""

from __future__ import annotations

import re
from contextlib import suppress
from datetime import UTC, date, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    TypeAdapter,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

from shared.api.common import INVALID, NEXT_CURSOR, PAGE, error
from shared.api.spec import (
    Answer,
    Body,
    Operations,
    OperationSpec,
    Param,
    ResponseModel,
    Schema,
    Timestamp,
    array,
    component_schemas,
    envelope,
    model_schema,
    obj,
    one_of_values,
    ref,
    string,
    timestamp,
)
from shared.clock import iso, parse_iso
from shared.web.body import Id, Items, RequestBody

TAG = "mentorship"
SessionStatus = Literal["scheduled", "completed", "cancelled"]
GRID_MINUTES = 5
"""Every time and length sits on this grid: bookings are locked in 5-minute buckets."""
SLOT_MINUTES = (15, 180)
BUFFER_MINUTES = (0, 60)
NOTICE_HOURS = (0, 720)
DAYS_AHEAD = (1, 365)
"""The lowest and highest of each availability number."""
MAX_WEEKLY, MAX_EXCEPTIONS = 200, 500
EARLIEST, LATEST = datetime(1970, 1, 1, tzinfo=UTC), datetime(9999, 1, 1, tzinfo=UTC)
"""The instants a request may name: windows and lookups add days, so keep clear of the limits."""
CLOCK_PATTERN = "^([01][0-9]|2[0-3]):[0-5][05]$"
END_CLOCK_PATTERN = "^(([01][0-9]|2[0-3]):[0-5][05]|24:00)$"
DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _matching(pattern: str, problem: str) -> AfterValidator:
    """A string that fully matches `pattern`, else `problem` (pydantic's words quote the regex)."""
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if compiled.fullmatch(value) is None:
            raise PydanticCustomError("clock", problem)
        return value

    return AfterValidator(check)


Clock = Annotated[
    str,
    Field(description="HH:MM on the 5-minute grid.", json_schema_extra={"pattern": CLOCK_PATTERN}),
    _matching(CLOCK_PATTERN, "must be a time HH:MM on the 5-minute grid"),
]
EndClock = Annotated[
    str,
    Field(
        description="HH:MM on the 5-minute grid, or 24:00.",
        json_schema_extra={"pattern": END_CLOCK_PATTERN},
    ),
    _matching(END_CLOCK_PATTERN, "must be a time HH:MM on the 5-minute grid, or 24:00"),
]


def _a_date(value: object) -> date:
    if isinstance(value, str) and DATE_PATTERN.fullmatch(value):
        with suppress(ValueError):
            return date.fromisoformat(value)
    raise PydanticCustomError("date", "must be a real date YYYY-MM-DD")


CalendarDate = Annotated[date, BeforeValidator(_a_date)]
"""A real calendar date, YYYY-MM-DD."""


def _an_instant(value: object) -> datetime:
    try:
        moment = parse_iso(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None:
        raise PydanticCustomError("instant", "must be an ISO-8601 date and time")
    if moment.tzinfo is None:
        raise PydanticCustomError("instant", "must carry a time zone (e.g. Z)")
    if not EARLIEST <= moment < LATEST:
        raise PydanticCustomError("instant", f"must be from {EARLIEST.year} to {LATEST.year - 1}")
    return moment.astimezone(UTC)


Instant = Annotated[datetime, BeforeValidator(_an_instant)]
"""An ISO-8601 date and time with an explicit offset (from 1970 to 9998), as aware UTC."""

DAY_OFF = obj(
    {"date": TypeAdapter(CalendarDate).json_schema(), "available": {"const": False}}, closed=True
)
OTHER_HOURS = obj(
    {
        "date": TypeAdapter(CalendarDate).json_schema(),
        "start": TypeAdapter(Clock).json_schema(),
        "end": TypeAdapter(EndClock).json_schema(),
    },
    closed=True,
)
"""The two shapes of a date exception, as documented: which fields go together is availability's
rule (so that each wrong combination is named), not the body's type."""


class WeeklyHoursBody(RequestBody):
    """Hours on one weekday, every week."""

    model_config = ConfigDict(extra="forbid")

    day: int = Field(ge=0, le=6)
    """0 = Sunday … 6 = Saturday, as JavaScript's getDay."""
    start: Clock
    end: EndClock


class DateExceptionBody(RequestBody):
    """One date's own hours (`start` to `end`), or with `available: false` alone a day off;
    either replaces that weekday's hours. Which fields go together is availability's rule."""

    model_config = ConfigDict(extra="forbid")

    date: CalendarDate
    available: Literal[False] | None = None
    """Only ever false: a day off. Left out, the date has hours."""
    start: Clock | None = None
    end: EndClock | None = None

    @field_validator("available", mode="before")
    @classmethod
    def _only_false(cls, value: object) -> object:
        if value is not False:
            raise PydanticCustomError(
                "day_off", "must be false (a day off); leave it out to give hours"
            )
        return value


class AvailabilityBody(RequestBody):
    """A teacher's whole availability, replacing the one before; unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")
    INVALID: ClassVar[str] = "The availability has invalid fields."

    timezone: str
    """An IANA time zone, e.g. Europe/London."""
    weekly: Annotated[Items[WeeklyHoursBody], Field(max_length=MAX_WEEKLY)]
    slot_minutes: int = Field(ge=SLOT_MINUTES[0], le=SLOT_MINUTES[1], multiple_of=GRID_MINUTES)
    buffer_minutes: int = Field(
        ge=BUFFER_MINUTES[0], le=BUFFER_MINUTES[1], multiple_of=GRID_MINUTES
    )
    min_notice_hours: int = Field(ge=NOTICE_HOURS[0], le=NOTICE_HOURS[1])
    max_days_ahead: int = Field(ge=DAYS_AHEAD[0], le=DAYS_AHEAD[1])
    exceptions: Annotated[
        Items[Annotated[DateExceptionBody, WithJsonSchema({"anyOf": [DAY_OFF, OTHER_HOURS]})]],
        Field(max_length=MAX_EXCEPTIONS),
    ] = ()
    """A day off, or other hours on a date (they replace its weekly ones)."""


class BookingBody(RequestBody):
    """The slot to book with a course's teacher; fields beside these are ignored."""

    IDENTITY_FIELDS: ClassVar[tuple[str, ...]] = ("studentId",)

    teacher_id: str = Field(min_length=1)
    course_id: Id
    date: Instant
    """The slot's start."""
    student_id: str | None = None
    """Must be the caller when present (else 403)."""


class StatusChangeBody(RequestBody):
    """The status a participant moves a session to; fields beside it are ignored."""

    status: SessionStatus


class SlotsQuery(RequestBody):
    """The slots' query string, an empty value read as left out."""

    since: Instant | None = Field(default=None, alias="from")
    to: Instant | None = None
    course_id: Id | None = None


IsoInstant = Annotated[
    datetime,
    PlainSerializer(iso, return_type=str),
    Field(json_schema_extra={"format": "date-time"}),
]
"""An aware instant, answered as ISO-8601 UTC to the millisecond (`2026-11-25T10:00:00.000Z`)."""


def _every_field_answered(schema: dict[str, Any]) -> None:
    """A saved availability answers every field, the ones a body may leave out too."""
    schema["required"] = list(schema["properties"])
    for field in schema["properties"].values():
        field.pop("default", None)


class Availability(AvailabilityBody):
    """A teacher's availability as saved: the body that would set it again, sorted, with every
    field."""

    model_config = ConfigDict(extra="ignore", json_schema_extra=_every_field_answered)

    def wire(self) -> dict[str, Any]:
        """The JSON object the client gets and the table stores: an exception holds only its
        kind's fields (a day off its `available: false`, other hours their start and end)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class Slot(ResponseModel):
    """A bookable session time: UTC instants, to the second with a Z (`2026-03-08T14:00:00Z`)."""

    start: datetime
    end: datetime


class MentorshipSession(ResponseModel):
    """A booked 1-to-1 session, as either participant sees it."""

    starts_at: IsoInstant = Field(alias="date")
    """The start."""
    session_id: str
    student_id: str
    teacher_id: str
    course_id: str
    ends_at: IsoInstant
    student_name: str
    teacher_name: str
    created_at: Timestamp
    updated_at: Timestamp
    status: SessionStatus


class VideoToken(ResponseModel):
    """What the caller joins the session's video call with."""

    token: str
    """An Agora token for this session's channel only."""
    channel_name: str
    """The session id."""
    uid: int = Field(ge=1)
    """The caller's stable non-zero 32-bit id."""
    expires_at: IsoInstant
    app_id: str


def _body_shaped(model: type[AvailabilityBody]) -> dict[str, Schema]:
    """A body-shaped model as a component, generated as `Body.of` generates the body's, so that
    the components both nest (WeeklyHoursBody) come out the same."""
    schema, nested = model_schema(model)
    return {model.__name__: schema, **nested}


SCHEMAS: dict[str, Schema] = {
    **_body_shaped(Availability),
    **component_schemas(Slot, MentorshipSession, VideoToken),
}

SESSION = envelope(ref("MentorshipSession"))
NO_SESSION = error("No such session of the caller's (`session_not_found`).")

OPERATIONS: Operations = {
    "PUT /mentorship/availability": OperationSpec(
        TAG,
        {200: Answer("The saved availability.", envelope(ref("Availability"))), 400: INVALID},
        "Times and lengths on the 5-minute grid; unknown fields are refused.",
        body=Body.of(AvailabilityBody),
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
        body=Body.of(BookingBody),
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
        body=Body.of(StatusChangeBody),
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
