"""How enrollment's domain exceptions answer, the same on every blueprint."""

from __future__ import annotations

from flask import Blueprint

from enrollment import errors
from enrollment.adapters.repository import StaleProgress
from enrollment.domain.progress import ProgressInvalid
from shared.web.errors import translate_errors


def translate_enrollment_errors(bp: Blueprint) -> None:
    translate_errors(
        bp,
        {
            ProgressInvalid: (400, "validation_error", "The progress report has invalid fields."),
            errors.NotEnrolled: (403, "not_enrolled", "You are not enrolled in this course."),
            errors.CourseUnknown: (404, "not_found", "No such course or chapter."),
            errors.NoVideo: (404, "no_video", "This chapter has no video."),
            errors.SignInToWatch: (401, "unauthorized", "Sign in to watch this chapter."),
            errors.NotOwner: (403, "not_owner", "Only the course's teacher may see this."),
            StaleProgress: (409, "conflict", "Progress kept changing; try again."),
        },
    )
