"""How catalog's domain exceptions answer, the same on every blueprint."""

from __future__ import annotations

from flask import Blueprint

from catalog import errors
from catalog.adapters.repository import StaleCourse
from catalog.domain.listing import ListingInvalid
from catalog.domain.media import (
    MediaRefused,
    MediaTooLarge,
    MediaTypeRefused,
    StorageQuotaExceeded,
)
from catalog.domain.validation import CourseInvalid
from shared.web.errors import translate_errors


def translate_catalog_errors(bp: Blueprint) -> None:
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
            errors.CourseNotFound: (404, "course_not_found", "No such course."),
            errors.NotOwner: (403, "not_owner", "Only the course's teacher may change it."),
            errors.CourseIsArchived: (409, "course_archived", "An archived course can't change."),
            StaleCourse: (409, "conflict", "The course kept changing; reload and try again."),
        },
    )
