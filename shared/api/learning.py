"""Learning (enrollment): enrolled courses, progress, video playback, a teacher's analytics."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from shared.api.common import INVALID, error
from shared.api.courses import CARD_FIELDS
from shared.api.spec import (
    Answer,
    Body,
    Operations,
    OperationSpec,
    Param,
    Schema,
    array,
    boolean,
    envelope,
    integer,
    nullable,
    number,
    obj,
    one_of_values,
    ref,
    string,
    timestamp,
)
from shared.web.body import Items, RequestBody

TAG = "learning"
PERCENT = integer("0 to 100.", minimum=0, maximum=100)
SELF_ID = string("The caller's own id.")
MAX_POSITION_SECONDS = 24 * 3600

SCHEMAS: dict[str, Schema] = {
    "EnrolledCourse": obj(
        {
            **CARD_FIELDS,
            "sections": array(
                obj(
                    {
                        "sectionId": string(),
                        "sectionTitle": string(),
                        "chapters": array(
                            obj(
                                {
                                    "chapterId": string(),
                                    "type": string(),
                                    "title": string(),
                                    "freePreview": boolean(),
                                }
                            )
                        ),
                    }
                )
            ),
            "overallProgress": PERCENT,
        },
        description="A course the caller is enrolled in, with its overall progress.",
    ),
    "CourseProgress": obj(
        {
            "userId": string(),
            "courseId": string(),
            "enrollmentDate": timestamp(),
            "overallProgress": PERCENT,
            "sections": array(
                obj(
                    {
                        "sectionId": string(),
                        "chapters": array(
                            obj(
                                {"chapterId": string(), "completed": boolean()},
                                {
                                    "positionSeconds": number("Where to resume.", minimum=0),
                                    "watchedPercent": number(minimum=0, maximum=100),
                                },
                            )
                        ),
                    }
                ),
                description="The course's current outline.",
            ),
            "lastAccessedTimestamp": nullable(timestamp()),
            "lastChapterId": nullable(string("The chapter to resume.")),
            "completedAt": nullable(timestamp()),
        }
    ),
    "StreamUrl": obj(
        {"url": string("A signed playback URL.", format="uri"), "expiresAt": timestamp()}
    ),
    "CourseAnalytics": obj(
        {
            "courseId": string(),
            "chapters": integer(minimum=0),
            "enrollments": obj(
                {
                    "total": integer(minimum=0),
                    "active": integer(minimum=0),
                    "revoked": integer(minimum=0),
                }
            ),
            "enrollmentsOverTime": array(
                obj(
                    {
                        "date": string(format="date"),
                        "enrollments": integer(minimum=0),
                        "cumulative": integer(minimum=0),
                    }
                ),
                description="Per UTC day that had any, oldest first.",
            ),
            "averageProgress": number(minimum=0, maximum=100),
            "completionRate": number(minimum=0, maximum=100),
            "completedStudents": integer(minimum=0),
            "chapterFunnel": array(
                obj(
                    {
                        "sectionId": string(),
                        "chapterId": string(),
                        "title": string(),
                        "type": string(),
                        "started": integer(minimum=0),
                        "completed": integer(minimum=0),
                        "completionRate": number(minimum=0, maximum=100),
                        "dropOff": integer(minimum=0),
                        "dropOffRate": number(minimum=0, maximum=100),
                    }
                ),
                description="Per chapter in outline order, over the active students.",
            ),
        }
    ),
}

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
