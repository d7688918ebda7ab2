"""What a file really is, from its first bytes: the video and image formats ProLearn accepts."""

from __future__ import annotations

TS_PACKET = 188
SNIFF_BYTES = TS_PACKET + 1  # enough for every check below, MPEG-TS's second sync byte included

IMAGE_EXTENSIONS: dict[str, str] = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
}

# ISO BMFF brands that are still images or audio, not video.
_NOT_VIDEO_BRANDS = {
    b"avif",
    b"avis",
    b"heic",
    b"heix",
    b"hevc",
    b"hevx",
    b"mif1",
    b"msf1",
    b"M4A ",
    b"M4B ",
    b"M4P ",
}


def video_type(start: bytes) -> str | None:
    """The video mime type of a file beginning with `start`, or None."""
    if start[4:8] == b"ftyp" and len(start) >= 12 and start[8:12] not in _NOT_VIDEO_BRANDS:
        return "video/quicktime" if start[8:12] == b"qt  " else "video/mp4"
    if start.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    if start.startswith(b"OggS"):
        return "video/ogg"
    if start.startswith(b"RIFF") and start[8:12] == b"AVI ":
        return "video/x-msvideo"
    if start.startswith(b"\x00\x00\x01\xba"):
        return "video/mpeg"
    if len(start) > TS_PACKET and start[0] == start[TS_PACKET] == 0x47:
        return "video/mp2t"
    return None


def image_type(start: bytes) -> str | None:
    """The image mime type (a key of IMAGE_EXTENSIONS) of a file beginning with `start`, or None."""
    if start.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if start.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if start.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if start.startswith(b"RIFF") and start[8:12] == b"WEBP":
        return "image/webp"
    return None
