"""Where a course's media lives in the bucket, and which uploads are acceptable."""

from __future__ import annotations

import re

VIDEO_TYPE = re.compile(r"^video/[a-z0-9][a-z0-9.+-]{0,60}$")
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


def course_prefix(course_id: str) -> str:
    return f"courses/{course_id}/"


def video_prefix(course_id: str) -> str:
    return f"{course_prefix(course_id)}videos/"


def upload_file_name(file_name: object) -> str:
    """The browser's file name made safe for a key; anything path-like is refused, not fixed."""
    if not isinstance(file_name, str) or not file_name.strip():
        raise MediaRefused({"fileName": "must be the name of the file"})
    name = file_name.strip()
    if "/" in name or "\\" in name or name in (".", "..") or "\x00" in name:
        raise MediaRefused({"fileName": "must be a file name, not a path"})
    safe = _UNSAFE.sub("-", name).strip(".-")[-MAX_FILE_NAME:]
    return safe or "video"


def video_key(course_id: str, section_id: str, chapter_id: str, token: str, name: str) -> str:
    """A fresh key per upload, so a replaced video never overwrites one still being played."""
    return f"{video_prefix(course_id)}{section_id}/{chapter_id}/{token}-{name}"


def thumbnail_key(course_id: str, token: str, extension: str) -> str:
    return f"{course_prefix(course_id)}thumbnails/{token}.{extension}"


def is_video_of(course_id: str, key: str) -> bool:
    return key.startswith(video_prefix(course_id)) and ".." not in key.split("/")
