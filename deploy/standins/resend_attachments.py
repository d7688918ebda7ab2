"""Resend `attachments`: checked like the API checks them, kept with their content as base64."""

from __future__ import annotations

import base64
import binascii
import mimetypes
import posixpath
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

MAX_BASE64_BYTES_PER_EMAIL = 40 * 1024 * 1024
DEFAULT_CONTENT_TYPE = "application/octet-stream"


class AttachmentError(ValueError):
    """A malformed `attachments` field; the message says which attachment and why."""


@dataclass(frozen=True)
class CapturedAttachment:
    """One attachment: inline `content` (base64), or a remote `path` the stand-in never fetches."""

    filename: str
    content_type: str
    content: str | None
    path: str | None

    def to_json(self) -> dict[str, str | None]:
        """`{filename, content_type, content}`, plus `path` for a remote attachment."""
        listed: dict[str, str | None] = {
            "filename": self.filename,
            "content_type": self.content_type,
            "content": self.content,
        }
        if self.path is not None:
            listed["path"] = self.path
        return listed


def parse_attachments(value: Any) -> list[CapturedAttachment]:
    """The request's attachments (none if the field is absent); raises `AttachmentError`."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise AttachmentError("Invalid `attachments` field. It must be an array.")
    attachments = [_attachment(item, f"attachments[{index}]") for index, item in enumerate(value)]
    if sum(len(a.content or "") for a in attachments) > MAX_BASE64_BYTES_PER_EMAIL:
        raise AttachmentError("Attachments exceed 40MB per email (after base64 encoding).")
    return attachments


def _attachment(item: Any, where: str) -> CapturedAttachment:
    if not isinstance(item, dict):
        raise AttachmentError(f"Invalid `{where}` field. It must be an object.")
    for field in ("filename", "content_type", "path"):
        if item.get(field) is not None and not _is_nonempty_str(item[field]):
            raise AttachmentError(f"Invalid `{where}.{field}` field. It must be a string.")
    content, path = item.get("content"), item.get("path")
    if content is None and path is None:
        raise AttachmentError(f"Invalid `{where}` field. Provide `content` or `path`.")
    if path is not None and urlparse(path).scheme not in ("http", "https"):
        raise AttachmentError(f"Invalid `{where}.path` field. It must be an http(s) URL.")
    filename = item.get("filename") or (path and posixpath.basename(urlparse(path).path))
    if not filename:
        raise AttachmentError(f"Missing `{where}.filename` field.")
    content_type = item.get("content_type") or mimetypes.guess_type(filename)[0]
    return CapturedAttachment(
        filename=filename,
        content_type=content_type or DEFAULT_CONTENT_TYPE,
        content=None if content is None else _as_base64(content, f"{where}.content"),
        path=path,
    )


def _as_base64(content: Any, where: str) -> str:
    """Base64 text from either wire form: a base64 string or an array of byte values."""
    if isinstance(content, list):
        if not all(_is_byte(value) for value in content):
            raise AttachmentError(f"Invalid `{where}` field. Array items must be bytes (0-255).")
        return base64.b64encode(bytes(content)).decode()
    if not isinstance(content, str):
        raise AttachmentError(f"Invalid `{where}` field. It must be base64 text or a byte array.")
    try:
        raw = base64.b64decode("".join(content.split()), validate=True)
    except binascii.Error:
        raise AttachmentError(f"Invalid `{where}` field. It is not valid base64.") from None
    return base64.b64encode(raw).decode()


def _is_byte(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 255


def _is_nonempty_str(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())
