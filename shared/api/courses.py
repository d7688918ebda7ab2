"""Courses (catalog): the catalog, a teacher's drafts, saving and publishing, video uploads."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from shared.api.common import INVALID, NEXT_CURSOR, PAGE, error
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
    obj,
    one_of_values,
    ref,
    string,
    without_null,
)
from shared.web.body import Items, RequestBody
from shared.web.ids import ID_RULE, ID_SCHEMA_PATTERN, is_id
from shared.web.json_provider import bounded_loads

TAG = "courses"
ChapterType = Literal["Text", "Quiz", "Video"]
Level = Literal["Beginner", "Intermediate", "Advanced"]
SavedStatus = Literal["Draft", "Published"]
"""The statuses a save may set; archiving and deleting are the DELETE's."""
ID = string("Letters, digits, `-` or `_`.", pattern=ID_SCHEMA_PATTERN)
MAX_PRICE = 50_000_000
MAX_CATEGORY_CHARS = 60
MAX_OUTLINE_CHARS = 300_000
"""The outline lives inside the course item, and a DynamoDB item holds at most 400 KB."""
MAX_SECTIONS, MAX_CHAPTERS = 100, 500
OUTLINE_SIZE = f"must be at most {MAX_OUTLINE_CHARS} characters of JSON"
VIDEO_TYPE = re.compile(r"^video/[a-z0-9][a-z0-9.+-]{0,60}$")
"""A video's content type, as an upload request declares it and as the bucket holds it."""
T = TypeVar("T")
CLOSED = ConfigDict(extra="forbid")
"""A field the body does not declare is refused (`section_title` too: only wire names count)."""

CourseStatus = Literal["Draft", "Published", "Archived", "Deleted"]


class CourseCard(ResponseModel):
    """A course's public card: the fields every Course JSON starts with."""

    course_id: str
    teacher_id: str
    teacher_name: str
    """From the teacher's Clerk profile."""
    title: str
    description: str
    category: str
    image: Url | None
    """A short-lived signed URL of the thumbnail."""
    price: int = Field(ge=0, description="Minor units (paise).")
    currency: str
    """ISO 4217, e.g. INR."""
    level: Level
    status: CourseStatus
    created_at: Timestamp
    updated_at: Timestamp


class Chapter(ResponseModel):
    chapter_id: str
    type: ChapterType
    title: str
    content: Omittable[str] = None
    """The lesson (Text) or the questions and answers (Quiz): only for the owner, enrolled
    students and free-preview chapters; otherwise absent, as in every listing."""
    free_preview: bool
    video: Omittable[Url] = None
    """A short-lived signed playback URL: only for the owner, enrolled students and free-preview
    chapters; otherwise absent."""


class Section(ResponseModel):
    section_id: str
    section_title: str
    section_description: str
    chapters: list[Chapter]


class Course(CourseCard):
    """A course; `video` URLs as the caller may see them."""

    sections: list[Section]
    enrollment_count: int = Field(ge=0)


class UploadPost(ResponseModel):
    """The same upload as a presigned form POST: its policy makes S3 refuse a file of more than
    `fileSize` bytes (or the video limit when none was given)."""

    url: Url
    """Where to POST the form."""
    fields: dict[str, str]
    """Form fields to send first, the file last (as `file`)."""


class UploadUrl(ResponseModel):
    upload_url: Url
    """A presigned PUT into staging, valid a few minutes. Send exactly the `fileType` as
    Content-Type and, when `fileSize` was given, exactly that many bytes (the Content-Length is
    signed)."""
    video_url: Url
    """The reference to put in the chapter's `video`."""
    upload_post: Omittable[UploadPost] = None


SCHEMAS: dict[str, Schema] = component_schemas(Chapter, Section, Course, UploadUrl)


def _not_null(value: object) -> object:
    if value is None:
        raise PydanticCustomError("null", "must not be null")
    return value


Settable = Annotated[T | None, BeforeValidator(_not_null), Field(json_schema_extra=without_null)]
"""A field a save sets when it is sent and leaves as it is when left out (None); null is
refused."""


def _trimmed(value: str) -> str:
    """Text is kept without the whitespace around it; its length was counted as sent."""
    return value.strip()


def _filled(value: str) -> str:
    if not value:
        raise PydanticCustomError("blank", "must not be blank")
    return value


def _empty_as_none(value: object) -> object:
    return value or None


def _kept_or_new_id(value: str) -> str:
    if value and not is_id(value):
        raise PydanticCustomError("invalid_id", ID_RULE)
    return value


def _digits_as_number(value: object) -> object:
    """A form sends every field as text: a price of digits is that number."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value


def _outline(value: object) -> object:
    """The outline as sent, an array or (from a form) its JSON text, bounded before its items
    are read."""
    if isinstance(value, str):
        if len(value) > MAX_OUTLINE_CHARS:
            raise PydanticCustomError("outline_size", OUTLINE_SIZE)
        try:
            value = bounded_loads(value)
        except ValueError:
            raise PydanticCustomError("outline_json", "must be a JSON array") from None
    if not isinstance(value, list):
        raise PydanticCustomError("outline_type", "must be an array")
    if len(value) > MAX_SECTIONS:
        raise PydanticCustomError("outline_sections", f"must hold at most {MAX_SECTIONS} sections")
    if len(json.dumps(value)) > MAX_OUTLINE_CHARS:
        raise PydanticCustomError("outline_size", OUTLINE_SIZE)
    return value


def _chapters_in_all(sections: tuple[CourseSectionBody, ...]) -> tuple[CourseSectionBody, ...]:
    if sum(len(section.chapters) for section in sections) > MAX_CHAPTERS:
        raise PydanticCustomError(
            "outline_chapters", f"must hold at most {MAX_CHAPTERS} chapters in all"
        )
    return sections


Title = Annotated[str, Field(max_length=200), AfterValidator(_trimmed)]
RequiredTitle = Annotated[
    str, Field(min_length=1, max_length=200), AfterValidator(_trimmed), AfterValidator(_filled)
]
Category = Annotated[
    str,
    Field(min_length=1, max_length=MAX_CATEGORY_CHARS),
    AfterValidator(_trimmed),
    AfterValidator(_filled),
]
Description = Annotated[str, Field(max_length=5000), AfterValidator(_trimmed)]
Content = Annotated[str, Field(max_length=50_000), AfterValidator(_trimmed)]
SectionDescription = Annotated[str, Field(max_length=2000), AfterValidator(_trimmed)]
Price = Annotated[int, Field(ge=0, le=MAX_PRICE), BeforeValidator(_digits_as_number)]
KeptOrNewId = Annotated[
    str, AfterValidator(_kept_or_new_id), Field(json_schema_extra={"pattern": ID_SCHEMA_PATTERN})
]
"""The id a section or chapter keeps; empty (or left out) for a new one, which the save names."""


class CourseChapterBody(RequestBody):
    """A chapter as the editor saves it."""

    model_config = CLOSED

    type: ChapterType
    chapter_id: KeptOrNewId | None = None
    """Unique in the course; a new chapter leaves it out."""
    title: Title = ""
    content: Annotated[Content | None, BeforeValidator(_empty_as_none)] = None
    """The lesson (Text) or the questions and answers (Quiz); null or empty for none."""
    video: Annotated[str | None, BeforeValidator(_empty_as_none)] = None
    """The `videoUrl` of get-upload-url, its storage key, or a signed URL; null or empty for
    none."""
    free_preview: bool = False
    comments: Any = None
    """Ignored (the editor echoes it)."""


class CourseSectionBody(RequestBody):
    """A section as the editor saves it, its chapters in order."""

    model_config = CLOSED

    section_id: KeptOrNewId | None = None
    """Unique in the course; a new section leaves it out."""
    section_title: Title = ""
    section_description: Annotated[SectionDescription | None, BeforeValidator(_empty_as_none)] = (
        None
    )
    """Null or empty for none."""
    chapters: Items[CourseChapterBody] = ()


Outline = Annotated[
    Items[CourseSectionBody],
    BeforeValidator(_outline),
    AfterValidator(_chapters_in_all),
    Field(json_schema_extra={"maxItems": MAX_SECTIONS}),
]


class SaveCourseBody(RequestBody):
    """A course save: only the fields sent change, and one no save sets is refused. Rules on the
    whole course (unique ids, the echoed course id, publishing) are catalog's, after these."""

    model_config = CLOSED
    INVALID: ClassVar[str] = "The course has invalid fields."
    IDENTITY_FIELDS: ClassVar[tuple[str, ...]] = ("teacherId",)
    ABSENT_IS_EMPTY: ClassVar[bool] = True

    title: Settable[RequiredTitle] = None
    description: Settable[Description] = None
    category: Settable[Category] = None
    price: Settable[Price] = None
    """Minor units (paise)."""
    level: Settable[Level] = None
    status: Settable[SavedStatus] = None
    sections: Settable[Outline] = None
    """The whole outline, in order: an array, or its JSON text."""
    image: str | None = None
    """null removes the thumbnail; the current reference keeps it."""
    course_id: str | None = None
    """Ignored when it is this course's id; any other is refused."""
    teacher_id: str | None = None
    """Ignored when it is the caller; any other is refused (403)."""
    teacher_name: Any = None
    """Ignored: the name comes from Clerk."""


class CreateCourseBody(RequestBody):
    """A new draft's request; the body may be left out, and other fields are ignored."""

    ABSENT_IS_EMPTY: ClassVar[bool] = True
    IDENTITY_FIELDS: ClassVar[tuple[str, ...]] = ("teacherId",)

    teacher_id: str | None = None
    """Must be the caller when present (else 403)."""
    teacher_name: Any = None
    """Ignored: the name comes from Clerk."""


def _a_file_name(value: str) -> str:
    name = value.strip()
    if not name:
        raise PydanticCustomError("file_name", "must be the name of the file")
    if "/" in name or "\\" in name or name in (".", "..") or "\x00" in name:
        raise PydanticCustomError("file_path", "must be a file name, not a path")
    return name


def _a_video_type(value: str) -> str:
    if not VIDEO_TYPE.match(value):
        raise PydanticCustomError("video_type", "must be a video/* content type")
    return value


class VideoUploadBody(RequestBody):
    """The video a teacher is about to upload for a chapter; other fields are ignored."""

    ABSENT_IS_EMPTY: ClassVar[bool] = True

    INVALID: ClassVar[str] = "The upload request has invalid fields."

    file_name: Annotated[
        str, AfterValidator(_a_file_name), Field(json_schema_extra={"minLength": 1})
    ]
    """A file name, not a path (kept without the whitespace around it)."""
    file_type: Annotated[
        str, AfterValidator(_a_video_type), Field(json_schema_extra={"pattern": VIDEO_TYPE.pattern})
    ]
    """A video/* content type."""
    file_size: int | None = Field(default=None, ge=1)
    """The file's size in bytes: checked against the video limit and the storage quota, and
    signed into the upload."""


SAVE = Body.of(SaveCourseBody, "JSON, or multipart with the thumbnail.")
TEXT_FIELDS = ("title", "description", "category", "level", "status")
ECHOED = ("courseId", "teacherId", "teacherName")
SAVE_FORM = obj(
    {},
    {
        **{name: SAVE.schema["properties"][name] for name in (*TEXT_FIELDS, *ECHOED)},
        "price": string("Minor units (paise), as digits.", pattern="^[0-9]{1,8}$"),
        "sections": string("The outline as JSON text (an array of sections)."),
        "image": string("The thumbnail: JPEG, PNG, GIF or WebP, at most 5 MB.", format="binary"),
    },
    closed=True,
)
"""The save as multipart/form-data: the same fields as text, and the thumbnail as a file."""

COURSE = envelope(ref("Course"))
COURSES = envelope(array(ref("Course")))
NOT_FOUND = error("No such course (or a draft that is not the caller's).")
NOT_OWNER = error("Only the course's teacher may change it (`not_owner`).")

OPERATIONS: Operations = {
    "GET /courses": OperationSpec(
        TAG,
        {
            200: Answer(
                "Published course cards, newest first (no videos).", COURSES, headers=NEXT_CURSOR
            ),
            400: INVALID,
        },
        "Published courses only.",
        (
            Param(
                "category",
                string(maxLength=MAX_CATEGORY_CHARS),
                "A category, in any case; `all` or absent means every one.",
            ),
            Param(
                "q",
                string(maxLength=100),
                "Words that must all match title or description, in any order: at most 8 (common"
                " words such as `the` aside), each of at most 40 characters, else 400.",
            ),
            *PAGE,
        ),
    ),
    "GET /courses/teacher": OperationSpec(
        TAG,
        {
            200: Answer(
                "The caller's courses, drafts and archived ones included.",
                COURSES,
                headers=NEXT_CURSOR,
            ),
            400: INVALID,
        },
        params=PAGE,
    ),
    "GET /courses/{courseId}": OperationSpec(
        TAG,
        {200: Answer("The course.", COURSE), 400: INVALID, 404: NOT_FOUND},
        "A published course; a draft for its owner; an archived one for its owner and students."
        " Chapter `content` and `video` only for the owner, enrolled students and free previews.",
        (
            Param(
                "playback",
                one_of_values("stream"),
                "`stream`: no chapter carries a `video`; the player asks the stream endpoint"
                " for each chapter it plays, so a refund stays possible until enough is played."
                " Absent: signed URLs inline, which counts every one as issued.",
            ),
        ),
    ),
    "POST /courses": OperationSpec(
        TAG,
        {201: Answer("A new draft with the editor's defaults.", COURSE), 400: INVALID},
        body=replace(Body.of(CreateCourseBody), required=False),
    ),
    "PUT /courses/{courseId}": OperationSpec(
        TAG,
        {
            200: Answer("The saved course.", COURSE),
            400: INVALID,
            403: NOT_OWNER,
            404: NOT_FOUND,
            409: error("The course is archived, or kept changing meanwhile."),
            413: error(
                "The thumbnail is over 5 MB (`payload_too_large`), or the new media would exceed"
                " the teacher's storage quota (`storage_quota_exceeded`, details"
                " `{quotaBytes, usedBytes}`)."
            ),
            415: error("The thumbnail is not a JPEG, PNG, GIF or WebP image."),
        },
        "Only the fields sent change. Publishing needs a title, a category other than"
        " Uncategorized, a chapter, and every Video chapter's video uploaded.",
        body=replace(SAVE, multipart=SAVE_FORM),
    ),
    "DELETE /courses/{courseId}": OperationSpec(
        TAG,
        {
            200: Answer("Archived (it has students) or deleted with its media.", COURSE),
            403: NOT_OWNER,
            404: NOT_FOUND,
            409: error("The course kept changing; try again."),
        },
    ),
    "POST /courses/{courseId}/sections/{sectionId}/chapters/{chapterId}/get-upload-url": (
        OperationSpec(
            TAG,
            {
                200: Answer(
                    "Where to PUT the video, and what to save.", envelope(ref("UploadUrl"))
                ),
                400: INVALID,
                403: NOT_OWNER,
                404: NOT_FOUND,
                409: error("The course is archived."),
                413: error(
                    "`fileSize` is over the video limit (`payload_too_large`), or over what is"
                    " left of the teacher's storage quota (`storage_quota_exceeded`, details"
                    " `{quotaBytes, usedBytes}`)."
                ),
            },
            "The section and chapter need not be saved yet. The upload lands in staging, where"
            " it expires unless a save of the course keeps it.",
            body=Body.of(VideoUploadBody),
            path_params={"sectionId": ID, "chapterId": ID},
        )
    ),
}
