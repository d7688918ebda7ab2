"""A course's media in S3: presigned uploads, checks of what was uploaded, signed playback."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import IO, Any

from catalog.domain.media import (
    VIDEO_TYPE,
    MediaRefused,
    MediaTooLarge,
    MediaTypeRefused,
    is_video_of,
    thumbnail_key,
    upload_file_name,
    video_key,
)
from catalog.domain.model import Section
from catalog.domain.validation import ID_PATTERN, CourseInvalid
from shared.config import MediaSettings
from shared.media.playback import PlaybackSigner
from shared.media.sniff import IMAGE_EXTENSIONS, SNIFF_BYTES, image_type, video_type
from shared.media.store import MediaStore


@dataclass(frozen=True)
class Thumbnail:
    """An accepted thumbnail upload, held in memory until the course is saved."""

    data: bytes
    content_type: str

    @property
    def extension(self) -> str:
        return IMAGE_EXTENSIONS[self.content_type]


class CourseMedia:
    """Everything catalog does with the bucket; content is checked, never trusted."""

    def __init__(self, store: MediaStore, signer: PlaybackSigner, limits: MediaSettings) -> None:
        self._store = store
        self._signer = signer
        self._limits = limits

    def upload_url(
        self, course_id: str, section_id: str, chapter_id: str, body: dict[str, Any]
    ) -> dict[str, str]:
        """A presigned PUT for one chapter video, and the reference the chapter should keep."""
        errors: dict[str, str] = {}
        for name, value in (("sectionId", section_id), ("chapterId", chapter_id)):
            if not ID_PATTERN.match(value):
                errors[name] = "must be an id of letters, digits, '-' or '_'"
        file_type = body.get("fileType")
        if not isinstance(file_type, str) or not VIDEO_TYPE.match(file_type):
            errors["fileType"] = "must be a video/* content type"
        try:
            name = upload_file_name(body.get("fileName"))
        except MediaRefused as refused:
            errors.update(refused.details)
        if errors:
            raise MediaRefused(errors)
        key = video_key(course_id, section_id, chapter_id, uuid.uuid4().hex[:12], name)
        return {
            "uploadUrl": self._store.presigned_put(
                key, str(file_type), self._limits.upload_url_seconds
            ),
            "videoUrl": self._store.object_url(key),
        }

    def thumbnail(self, upload: IO[bytes], declared_type: str | None) -> Thumbnail:
        """The `image` file of a save: an image by its bytes, not only by its label."""
        limit = self._limits.max_image_bytes
        data = upload.read(limit + 1)
        if len(data) > limit:
            raise MediaTooLarge({"image": f"must be at most {limit // (1024 * 1024)} MB"})
        sniffed = image_type(data[:SNIFF_BYTES])
        if not (declared_type or "").startswith("image/") or sniffed is None:
            raise MediaTypeRefused({"image": "must be a JPEG, PNG, GIF or WebP image"})
        return Thumbnail(data, sniffed)

    def store_thumbnail(self, course_id: str, thumbnail: Thumbnail) -> str:
        key = thumbnail_key(course_id, uuid.uuid4().hex[:12], thumbnail.extension)
        self._store.put(key, thumbnail.data, thumbnail.content_type)
        return key

    def image_key(self, reference: str) -> str | None:
        return self._store.key_from_reference(reference)

    def resolve_videos(
        self, course_id: str, sections: tuple[Section, ...], known: frozenset[str]
    ) -> tuple[Section, ...]:
        """Each chapter's `video` as its storage key; a key the course did not have yet must be
        an uploaded video of this course, within the size limit."""
        errors: dict[str, str] = {}
        resolved = []
        for s, section in enumerate(sections):
            chapters = []
            for c, chapter in enumerate(section.chapters):
                key = chapter.video and self._store.key_from_reference(chapter.video)
                if chapter.video and (key is None or not is_video_of(course_id, key)):
                    errors[f"sections[{s}].chapters[{c}].video"] = (
                        "must be a video uploaded for this course (the videoUrl of get-upload-url)"
                    )
                elif key and key not in known:
                    problem = self._upload_problem(key)
                    if problem:
                        errors[f"sections[{s}].chapters[{c}].video"] = problem
                chapters.append(replace(chapter, video=key or None))
            resolved.append(replace(section, chapters=tuple(chapters)))
        if errors:
            raise CourseInvalid(errors)
        return tuple(resolved)

    def _upload_problem(self, key: str) -> str | None:
        stored = self._store.head(key)
        if stored is None:
            return "was not uploaded; upload the video again"
        if not VIDEO_TYPE.match(stored.content_type or ""):
            return f"must be a video, not {stored.content_type or 'an untyped file'}"
        if stored.size == 0:
            return "is an empty file"
        if stored.size > self._limits.max_video_bytes:
            return f"must be at most {self._limits.max_video_bytes} bytes"
        if video_type(self._store.read_start(key, SNIFF_BYTES)) is None:
            return "is not a video file (its content is not MP4, MOV, WebM, Ogg, AVI or MPEG)"
        return None

    def playback_url(self, key: str) -> str:
        return self._signer.sign(key)

    def release(self, keys: tuple[str, ...]) -> None:
        """Delete objects no course references (deleting a missing one is not an error)."""
        self._store.delete_many(keys)
