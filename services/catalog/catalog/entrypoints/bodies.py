"""Request bodies read for a command: one a client may leave out, and a course save's JSON or
multipart form with its thumbnail."""

from __future__ import annotations

from flask import request

from catalog.commands import ImageChange, SaveCourse
from catalog.course_media import CourseMedia, Thumbnail
from catalog.domain.media import MediaTooLarge
from catalog.domain.model import Chapter, Section
from catalog.domain.validation import CourseEdit
from shared.api.courses import CourseSectionBody, SaveCourseBody
from shared.auth.access import check_identity_fields
from shared.web.body import parse_body, parse_object

SAVE_OVERHEAD_BYTES = 1024 * 1024
"""Room a course save needs beside its thumbnail: the outline (300 KB at most) and the form."""


def save_command(
    media: CourseMedia, max_image_bytes: int, teacher_id: str, course_id: str
) -> SaveCourse:
    """The save the request asks for: 413 for an oversized request before it is read, then a
    JSON body, or a form whose thumbnail file is checked after its teacherId and before its
    fields (the order these answers have always come in)."""
    _limit_save_size(max_image_bytes)
    thumbnail: Thumbnail | None = None
    if request.is_json:
        fields = parse_body(SaveCourseBody)
    else:
        form = request.form.to_dict()
        check_identity_fields(form, *SaveCourseBody.IDENTITY_FIELDS)
        upload = request.files.get("image")
        if upload is not None and upload.filename:
            thumbnail = media.thumbnail(upload.stream, upload.mimetype or None)
        fields = parse_object(SaveCourseBody, form)
    return SaveCourse(teacher_id, course_id, course_edit(fields), _image_change(fields, thumbnail))


def _limit_save_size(max_image_bytes: int) -> None:
    """Refuse an oversized save before reading it, naming the thumbnail as the likely cause."""
    request.max_content_length = max_image_bytes + SAVE_OVERHEAD_BYTES
    request.max_form_memory_size = SAVE_OVERHEAD_BYTES
    if (request.content_length or 0) > request.max_content_length:
        megabytes = max_image_bytes // (1024 * 1024)
        raise MediaTooLarge({"image": f"must be at most {megabytes} MB"})


def _image_change(fields: SaveCourseBody, thumbnail: Thumbnail | None) -> ImageChange:
    """A file in `image` replaces the thumbnail; null removes it; the current reference (or an
    empty form field) keeps it."""
    if thumbnail is not None:
        return ImageChange(upload=thumbnail)
    if "image" in fields.model_fields_set and fields.image is None:
        return ImageChange(remove=True)
    return ImageChange(reference=fields.image or None)


def course_edit(fields: SaveCourseBody) -> CourseEdit:
    """The save's fields as catalog's domain reads them (ids of new sections and chapters "")."""
    sections = None if fields.sections is None else tuple(map(_section, fields.sections))
    return CourseEdit(
        echoed_course_id=fields.course_id,
        title=fields.title,
        description=fields.description,
        category=fields.category,
        price=fields.price,
        level=fields.level,
        status=fields.status,
        sections=sections,
    )


def _section(section: CourseSectionBody) -> Section:
    return Section(
        section_id=section.section_id or "",
        title=section.section_title,
        description=section.section_description or "",
        chapters=tuple(
            Chapter(
                chapter_id=chapter.chapter_id or "",
                type=chapter.type,
                title=chapter.title,
                content=chapter.content or "",
                video=chapter.video,
                free_preview=chapter.free_preview,
            )
            for chapter in section.chapters
        ),
    )
