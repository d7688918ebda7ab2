"""Where a course's media lives in the bucket, and which uploads are acceptable."""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.media.lifecycle import STAGING_PREFIX
from shared.web.ids import ID_PATTERN

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_FILE_NAME = 100


class MediaRefused(Exception):
    """An upload or media reference is not acceptable; details name the field."""

    def __init__(self, details: dict[str, str]) -> None:
        super().__init__("media refused")
        self.details = details


class MediaTooLarge(MediaRefused):
    """The file is larger than its kind allows."""


class MediaTypeRefused(MediaRefused):
    """The file is not of an accepted type."""


class StorageQuotaExceeded(Exception):
    """The teacher's courses would keep more bytes than the storage quota allows."""

    def __init__(self, quota_bytes: int, used_bytes: int) -> None:
        super().__init__(f"storage quota of {quota_bytes} bytes exceeded ({used_bytes} used)")
        self.details = {"quotaBytes": quota_bytes, "usedBytes": used_bytes}


def course_prefix(course_id: str) -> str:
    return f"courses/{course_id}/"


def video_prefix(course_id: str) -> str:
    return f"{course_prefix(course_id)}videos/"


def safe_file_name(file_name: str) -> str:
    """The browser's file name (a name, not a path: the request checked it) made safe for a
    key."""
    safe = _UNSAFE.sub("-", file_name).strip(".-")[-MAX_FILE_NAME:]
    return safe or "video"


@dataclass(frozen=True)
class UploadRequest:
    """A checked get-upload-url request: where the video goes and what the browser will send."""

    section_id: str
    chapter_id: str
    file_name: str
    file_type: str
    size: int | None
    """The declared `fileSize`: the presigned PUT then carries exactly that many bytes."""


def upload_request(
    section_id: str,
    chapter_id: str,
    file_name: str,
    file_type: str,
    size: int | None,
    max_bytes: int,
) -> UploadRequest:
    """Where a checked get-upload-url request's video goes: 400 for section or chapter ids that
    are not ids, 413 for a declared size over `max_bytes`."""
    errors = {
        field: "must be an id of letters, digits, '-' or '_'"
        for field, value in (("sectionId", section_id), ("chapterId", chapter_id))
        if not ID_PATTERN.match(value)
    }
    if errors:
        raise MediaRefused(errors)
    if size is not None and size > max_bytes:
        raise MediaTooLarge({"fileSize": f"must be at most {max_bytes} bytes"})
    return UploadRequest(section_id, chapter_id, safe_file_name(file_name), file_type, size)


def upload_key(course_id: str, section_id: str, chapter_id: str, token: str, name: str) -> str:
    """A fresh staging key per upload, so a replaced video never overwrites one being played."""
    return f"{STAGING_PREFIX}{video_prefix(course_id)}{section_id}/{chapter_id}/{token}-{name}"


def kept_key(upload: str) -> str:
    """Where a save keeps a staged upload: the same key outside the staging prefix."""
    return upload.removeprefix(STAGING_PREFIX)


def thumbnail_key(course_id: str, token: str, extension: str) -> str:
    return f"{course_prefix(course_id)}thumbnails/{token}.{extension}"


def is_video_of(course_id: str, key: str) -> bool:
    """A kept video of this course."""
    return key.startswith(video_prefix(course_id)) and ".." not in key.split("/")


def is_upload_of(course_id: str, key: str) -> bool:
    """A staged video upload of this course."""
    return key.startswith(STAGING_PREFIX) and is_video_of(course_id, kept_key(key))
