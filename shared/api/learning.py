"""Learning (enrollment): enrolled courses, progress, video playback, a teacher's analytics."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field, WithJsonSchema

from shared.api.common import INVALID, error
from shared.api.courses import CourseCard
from shared.api.spec import (
    Answer,
    Body,
    Omittable,
    Operations,
    OperationSpec,
    Param,
    ResponseModel,
    Schema,
    Timestamp,
    Url,
    array,
    component_schemas,
    envelope,
    one_of_values,
    ref,
    string,
)
from shared.web.body import Items, RequestBody

TAG = "learning"
SELF_ID = string("The caller's own id.")
MAX_POSITION_SECONDS = 24 * 3600

Percent = Annotated[int, Field(ge=0, le=100, description="0 to 100.")]
Count = Annotated[int, Field(ge=0)]
Rate = Annotated[float, Field(ge=0, le=100)]
"""A percentage to one decimal."""
Day = Annotated[str, Field(json_schema_extra={"format": "date"})]
"""A UTC day, `2026-11-25`."""
Seconds = Annotated[
    Annotated[int, Field(ge=0)] | Annotated[float, Field(ge=0)],
    WithJsonSchema({"type": "number", "minimum": 0}),
]
"""Seconds as recorded: a whole number stays an integer (a float field would answer 30.0)."""
WatchedPercent = Annotated[
    Annotated[int, Field(ge=0, le=100)] | Annotated[float, Field(ge=0, le=100)],
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 100}),
]
"""A percentage as recorded: a whole number stays an integer."""


class OutlineChapter(ResponseModel):
    chapter_id: str
    type: str
    title: str
    free_preview: bool


class EnrolledSection(ResponseModel):
    section_id: str
    section_title: str
    chapters: list[OutlineChapter]


class EnrolledCourse(CourseCard):
    """A course the caller is enrolled in, with its overall progress."""

    sections: list[EnrolledSection]
    overall_progress: Percent


class ChapterProgress(ResponseModel):
    chapter_id: str
    completed: bool
    position_seconds: Omittable[Seconds] = None
    """Where to resume."""
    watched_percent: Omittable[WatchedPercent] = None


class SectionProgress(ResponseModel):
    section_id: str
    chapters: list[ChapterProgress]


class CourseProgress(ResponseModel):
    user_id: str
    course_id: str
    enrollment_date: Timestamp
    overall_progress: Percent
    sections: list[SectionProgress]
    """The course's current outline."""
    last_accessed_timestamp: Timestamp | None
    last_chapter_id: str | None
    """The chapter to resume."""
    completed_at: Timestamp | None


class StreamUrl(ResponseModel):
    url: Url
    """A signed playback URL."""
    expires_at: Timestamp


class EnrollmentCounts(ResponseModel):
    total: Count
    active: Count
    revoked: Count


class EnrollmentDay(ResponseModel):
    date: Day
    enrollments: Count
    cumulative: Count


class ChapterFunnelStep(ResponseModel):
    section_id: str
    chapter_id: str
    title: str
    type: str
    started: Count
    completed: Count
    completion_rate: Rate
    drop_off: Count
    drop_off_rate: Rate


class CourseAnalytics(ResponseModel):
    course_id: str
    chapters: Count
    enrollments: EnrollmentCounts
    enrollments_over_time: list[EnrollmentDay]
    """Per UTC day that had any, oldest first."""
    average_progress: Rate
    completion_rate: Rate
    completed_students: Count
    chapter_funnel: list[ChapterFunnelStep]
    """Per chapter in outline order, over the active students."""


SCHEMAS: dict[str, Schema] = component_schemas(
    EnrolledCourse, CourseProgress, StreamUrl, CourseAnalytics
)

PROGRESS = envelope(ref("CourseProgress"))


class ChapterProgressBody(RequestBody):
    """What the player says about one chapter; a field left out is not reported."""

    chapter_id: str
    completed: bool | None = None
    """A bare true completes the chapter."""
    watched_percent: float | None = Field(default=None, ge=0, le=100)
    """When sent, the chapter completes at ≥ 80 (configurable), never below."""
    position_seconds: float | None = Field(default=None, ge=0, le=MAX_POSITION_SECONDS)
    """Where to resume."""


class SectionProgressBody(RequestBody):
    """The reported chapters of one section."""

    section_id: str
    chapters: Items[ChapterProgressBody] = ()


class ProgressBody(RequestBody):
    """A progress report; fields beside `sections` are ignored."""

    INVALID: ClassVar[str] = "The progress report has invalid fields."
    IDENTITY_FIELDS: ClassVar[tuple[str, ...]] = ("userId",)

    sections: Items[SectionProgressBody] = ()
    user_id: str | None = None
    """Must be the caller when present (else 403)."""


NO_COURSE = error("No such course or chapter (`not_found`), or the chapter has no video.")

OPERATIONS: Operations = {
    "GET /users/course-progress/{userId}/enrolled-courses": OperationSpec(
        TAG,
        {200: Answer("Newest enrollment first.", envelope(array(ref("EnrolledCourse"))))},
        path_params={"userId": SELF_ID},
    ),
    "GET /users/course-progress/{userId}/courses/{courseId}": OperationSpec(
        TAG,
        {
            200: Answer("The caller's progress in the course.", PROGRESS),
            404: error("Not enrolled (`not_enrolled`)."),
        },
        path_params={"userId": SELF_ID},
    ),
    "PUT /users/course-progress/{userId}/courses/{courseId}": OperationSpec(
        TAG,
        {
            200: Answer("The progress after the report.", PROGRESS),
            400: INVALID,
            403: error("Not enrolled (`not_enrolled`)."),
            404: NO_COURSE,
            409: error("Progress kept changing; try again."),
        },
        "Unknown ids are refused; progress never goes backwards; fields beside `sections` are"
        " ignored.",
        body=Body.of(ProgressBody),
        path_params={"userId": SELF_ID},
    ),
    "GET /courses/{courseId}/chapters/{chapterId}/stream": OperationSpec(
        TAG,
        {
            200: Answer("A short-lived signed URL.", envelope(ref("StreamUrl"))),
            401: error("Sign in to watch a chapter that is not a free preview."),
            403: error("Signed in, but neither enrolled nor the owner (`not_enrolled`)."),
            404: NO_COURSE,
        },
        "For the owner, an enrolled student, or anyone for a free-preview chapter of a published"
        " course.",
    ),
    "GET /teacher/analytics/courses/{courseId}": OperationSpec(
        TAG,
        {
            200: Answer(
                "The report, or with `?format=csv` one row per enrollment.",
                envelope(ref("CourseAnalytics")),
                media_types={"text/csv": string()},
                headers={"Content-Disposition": "With ?format=csv: the file name."},
            ),
            400: INVALID,
            403: error("Only the course's teacher (`not_owner`)."),
            404: error("No such course (`not_found`)."),
        },
        params=(Param("format", one_of_values("json", "csv"), "json (default) or csv."),),
    ),
}
