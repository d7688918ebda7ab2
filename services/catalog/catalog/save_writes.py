"""The objects one course save writes to the bucket, removed again when the save fails."""

from __future__ import annotations

import logging
from collections.abc import Callable

from catalog.course_media import CourseMedia, Thumbnail, Upload

log = logging.getLogger(__name__)


class SaveWrites:
    """What one course save wrote under the course's prefix, so a failed save removes it."""

    def __init__(self, media: CourseMedia, course_id: str) -> None:
        self._media = media
        self._course_id = course_id
        self._thumbnail: str | None = None
        self._written: list[str] = []

    def thumbnail(self, upload: Thumbnail) -> str:
        """The uploaded thumbnail's key, stored on the first attempt only."""
        if self._thumbnail is None:
            self._thumbnail = self._media.store_thumbnail(self._course_id, upload)
            self._written.append(self._thumbnail)
        return self._thumbnail

    def keep(self, uploads: tuple[Upload, ...]) -> None:
        for upload in uploads:
            if upload.kept not in self._written:
                self._media.keep(upload)
                self._written.append(upload.kept)

    def discard(self, referenced: Callable[[], frozenset[str]]) -> None:
        """After a failed save: delete what it wrote, except what the course references now
        (it may have committed after all, or a concurrent save kept the same upload). Never
        raises over the save's own error."""
        if not self._written:
            return
        try:
            kept = referenced()
            self._media.release(tuple(key for key in self._written if key not in kept))
        except Exception:
            log.exception(
                "a failed save's objects stay in the bucket", extra={"keys": self._written}
            )
