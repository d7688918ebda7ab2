"""Signed playback URLs for chapter videos."""

from __future__ import annotations

from flask import Blueprint, Response, current_app

from enrollment.bootstrap import Learning
from enrollment.commands import StreamChapter
from enrollment.entrypoints.errors import translate_enrollment_errors
from shared.auth.access import optional_principal
from shared.web.responses import ok

bp = Blueprint("playback", __name__)
translate_enrollment_errors(bp)


@bp.get("/courses/<courseId>/chapters/<chapterId>/stream")
def stream(courseId: str, chapterId: str) -> Response:  # noqa: N803 - path names are the API's
    """Enrolled students and the owner get every video, anyone a free preview's."""
    learning: Learning = current_app.extensions["learning"]
    viewer = optional_principal()
    command = StreamChapter(courseId, chapterId, viewer.user_id if viewer else None)
    return ok(learning.stream_chapter(command).wire(), "Stream URL generated")
