"""A course's media in S3: presigned uploads to staging, checks and keeping on save, playback."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import IO

from catalog.domain.media import (
    MediaTooLarge,
    MediaTypeRefused,
    UploadRequest,
    is_upload_of,
    kept_key,
    thumbnail_key,
    upload_key,
)
from catalog.domain.model import Section
from catalog.domain.validation import CourseInvalid
from shared.api.courses import VIDEO_TYPE, UploadPost, UploadUrl
from shared.config import MediaSettings
from shared.media.playback import PlaybackSigner
from shared.media.sniff import IMAGE_EXTENSIONS, SNIFF_BYTES, image_type, video_type
from shared.media.store import MediaStore, ObjectChanged, StoredObject

NOT_UPLOADED_HERE = "must be a video uploaded for this course (the videoUrl of get-upload-url)"


@dataclass(frozen=True)
class Thumbnail:
    """An accepted thumbnail upload, held in memory until the course is saved."""

    data: bytes
    content_type: str

    @property
    def extension(self) -> str:
        return IMAGE_EXTENSIONS[self.content_type]

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class Upload:
    """A checked video in staging, and the key the course keeps it under once saved."""

    staged: str
    kept: str
    size: int
    etag: str
    """The checked content: a staged object replaced since is not copied."""


class UnusableVideo(Exception):
    """A chapter's `video` names nothing this course may keep; the message says why."""


class CourseMedia:
    """Everything catalog does with the bucket; content is checked, never trusted."""

    def __init__(self, store: MediaStore, signer: PlaybackSigner, limits: MediaSettings) -> None:
        self._store = store
        self._signer = signer
        self._limits = limits

    def upload_urls(self, course_id: str, request: UploadRequest) -> UploadUrl:
        """A presigned PUT and a presigned POST into staging, and the reference the chapter
        should keep. The POST's policy caps the size (the declared one, else the video limit)."""
        token = uuid.uuid4().hex[:12]
        key = upload_key(
            course_id, request.section_id, request.chapter_id, token, request.file_name
        )
        seconds = self._limits.upload_url_seconds
        most = request.size or self._limits.max_video_bytes
        post = self._store.presigned_post(key, request.file_type, most, seconds)
        return UploadUrl(
            upload_url=self._store.presigned_put(key, request.file_type, seconds, request.size),
            video_url=self._store.object_url(key),
            upload_post=UploadPost.model_validate(post),
        )

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
    ) -> tuple[tuple[Section, ...], tuple[Upload, ...]]:
        """Each chapter's `video` as the key the course keeps, and the staged uploads to move
        there: a video the course did not have yet must be a checked upload of this course."""
        errors: dict[str, str] = {}
        uploads: dict[str, Upload] = {}
        resolved = []
        for s, section in enumerate(sections):
            chapters = []
            for c, chapter in enumerate(section.chapters):
                key = None
                try:
                    key = chapter.video and self._kept_video(
                        course_id, chapter.video, known, uploads
                    )
                except UnusableVideo as unusable:
                    errors[f"sections[{s}].chapters[{c}].video"] = str(unusable)
                chapters.append(replace(chapter, video=key or None))
            resolved.append(replace(section, chapters=tuple(chapters)))
        if errors:
            raise CourseInvalid(errors)
        return tuple(resolved), tuple(uploads.values())

    def _kept_video(
        self, course_id: str, reference: str, known: frozenset[str], uploads: dict[str, Upload]
    ) -> str:
        """A key the course has, or the kept key of a staged upload (checked, and added to
        `uploads`, unless the course keeps it already)."""
        key = self._store.key_from_reference(reference)
        if key is None:
            raise UnusableVideo(NOT_UPLOADED_HERE)
        if key in known:
            return key
        if not is_upload_of(course_id, key):
            raise UnusableVideo(NOT_UPLOADED_HERE)
        kept = kept_key(key)
        if kept not in known and key not in uploads:
            checked = self._checked_upload(key)
            uploads[key] = Upload(key, kept, checked.size, checked.etag)
        return kept

    def _checked_upload(self, key: str) -> StoredObject:
        stored = self._store.head(key)
        if stored is None:
            raise UnusableVideo("was not uploaded; upload the video again")
        if not VIDEO_TYPE.match(stored.content_type or ""):
            raise UnusableVideo(f"must be a video, not {stored.content_type or 'an untyped file'}")
        if stored.size == 0:
            raise UnusableVideo("is an empty file")
        if stored.size > self._limits.max_video_bytes:
            raise UnusableVideo(f"must be at most {self._limits.max_video_bytes} bytes")
        if video_type(self._store.read_start(key, SNIFF_BYTES)) is None:
            raise UnusableVideo(
                "is not a video file (its content is not MP4, MOV, WebM, Ogg, AVI or MPEG)"
            )
        return stored

    def keep(self, upload: Upload) -> None:
        """Copy a checked upload out of staging, as checked (the staged object is released on
        commit); one re-uploaded since its check is refused."""
        try:
            self._store.copy(upload.staged, upload.kept, if_etag=upload.etag)
        except ObjectChanged:
            raise CourseInvalid(
                {"sections": "a video was uploaded again while the course was saved; save again"}
            ) from None

    def playback_url(self, key: str) -> str:
        return self._signer.sign(key)

    def release(self, keys: tuple[str, ...]) -> None:
        """Delete objects no course references (deleting a missing one is not an error)."""
        self._store.delete_many(keys)
