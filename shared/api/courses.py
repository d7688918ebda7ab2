"""Courses (catalog): the catalog, a teacher's drafts, saving and publishing, video uploads."""

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
    boolean,
    envelope,
    integer,
    nullable,
    obj,
    one_of_values,
    ref,
    string,
    timestamp,
)
from shared.web.ids import ID_SCHEMA_PATTERN

TAG = "courses"
CHAPTER_TYPES = ("Text", "Quiz", "Video")
LEVELS = ("Beginner", "Intermediate", "Advanced")
ID = string("Letters, digits, `-` or `_`.", pattern=ID_SCHEMA_PATTERN)

CARD: dict[str, Schema] = {
    "courseId": string(),
    "teacherId": string(),
    "teacherName": string("From the teacher's Clerk profile."),
    "title": string(),
    "description": string(),
    "category": string(),
    "image": nullable(string("A short-lived signed URL of the thumbnail.", format="uri")),
    "price": integer("Minor units (paise).", minimum=0),
    "currency": string("ISO 4217, e.g. INR."),
    "level": one_of_values(*LEVELS),
    "status": one_of_values("Draft", "Published", "Archived", "Deleted"),
    "createdAt": timestamp(),
    "updatedAt": timestamp(),
}
"""A course's public card: the fields every Course JSON starts with."""

SCHEMAS: dict[str, Schema] = {
    "Chapter": obj(
        {
            "chapterId": string(),
            "type": one_of_values(*CHAPTER_TYPES),
            "title": string(),
            "freePreview": boolean(),
        },
        {
            "content": string(
                "The lesson (Text) or the questions and answers (Quiz): only for the owner,"
                " enrolled students and free-preview chapters; otherwise absent, as in every"
                " listing."
            ),
            "video": string(
                "A short-lived signed playback URL: only for the owner, enrolled students and"
                " free-preview chapters; otherwise absent.",
                format="uri",
            ),
        },
    ),
    "Section": obj(
        {
            "sectionId": string(),
            "sectionTitle": string(),
            "sectionDescription": string(),
            "chapters": array(ref("Chapter")),
        }
    ),
    "Course": obj(
        {**CARD, "sections": array(ref("Section")), "enrollmentCount": integer(minimum=0)},
        description="A course; `video` URLs as the caller may see them.",
    ),
    "UploadUrl": obj(
        {
            "uploadUrl": string(
                "A presigned PUT into staging, valid a few minutes. Send exactly the `fileType`"
                " as Content-Type and, when `fileSize` was given, exactly that many bytes (the"
                " Content-Length is signed).",
                format="uri",
            ),
            "videoUrl": string("The reference to put in the chapter's `video`.", format="uri"),
        },
        {
            "uploadPost": obj(
                {
                    "url": string("Where to POST the form.", format="uri"),
                    "fields": {
                        "type": "object",
                        "description": "Form fields to send first, the file last (as `file`).",
                        "additionalProperties": {"type": "string"},
                    },
                },
                description="The same upload as a presigned form POST: its policy makes S3 refuse"
                " a file of more than `fileSize` bytes (or the video limit when none was given).",
            ),
        },
    ),
}

CHAPTER_IN = obj(
    {"type": one_of_values(*CHAPTER_TYPES)},
    {
        "chapterId": ID,
        "title": string(maxLength=200),
        "content": nullable(string(maxLength=50_000)),
        "video": nullable(
            string("The `videoUrl` of get-upload-url, its storage key, or a signed URL.")
        ),
        "freePreview": boolean(),
        "comments": {"description": "Ignored (the editor echoes it)."},
    },
    closed=True,
)
SECTION_IN = obj(
    {},
    {
        "sectionId": ID,
        "sectionTitle": string(maxLength=200),
        "sectionDescription": nullable(string(maxLength=2000)),
        "chapters": array(CHAPTER_IN),
    },
    closed=True,
)
SAVE_FIELDS: dict[str, Schema] = {
    "title": string(minLength=1, maxLength=200),
    "description": string(maxLength=5000),
    "category": string(minLength=1, maxLength=60),
    "level": one_of_values(*LEVELS),
    "status": one_of_values("Draft", "Published"),
}
ECHOED: dict[str, Schema] = {
    "courseId": string("Ignored when it is this course's id; any other is refused."),
    "teacherId": string("Ignored when it is the caller; any other is refused (403)."),
    "teacherName": string("Ignored: the name comes from Clerk."),
}
SAVE_JSON = obj(
    {},
    {
        **SAVE_FIELDS,
        **ECHOED,
        "price": integer("Minor units (paise).", minimum=0, maximum=50_000_000),
        "sections": array(SECTION_IN, maxItems=100),
        "image": nullable(string("null removes the thumbnail; the current reference keeps it.")),
    },
    closed=True,
)
SAVE_FORM = obj(
    {},
    {
        **SAVE_FIELDS,
        **ECHOED,
        "price": string("Minor units (paise), as digits.", pattern="^[0-9]{1,8}$"),
        "sections": string("The outline as JSON text (an array of sections)."),
        "image": string("The thumbnail: JPEG, PNG, GIF or WebP, at most 5 MB.", format="binary"),
    },
    closed=True,
)
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
                string(maxLength=60),
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
        body=Body(
            obj(
                {},
                {
                    "teacherId": string("Must be the caller when present (else 403)."),
                    "teacherName": string("Ignored: the name comes from Clerk."),
                },
            ),
            required=False,
        ),
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
        body=Body(SAVE_JSON, "JSON, or multipart with the thumbnail.", multipart=SAVE_FORM),
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
            body=Body(
                obj(
                    {
                        "fileName": string("A file name, not a path.", minLength=1),
                        "fileType": string("A video/* content type.", pattern="^video/"),
                    },
                    {
                        "fileSize": integer(
                            "The file's size in bytes: checked against the video limit and the"
                            " storage quota, and signed into the upload.",
                            minimum=1,
                        ),
                    },
                )
            ),
            path_params={"sectionId": ID, "chapterId": ID},
        )
    ),
}
