"""Content sniffing: real magic bytes of each accepted format; PDFs and look-alikes refused."""

from __future__ import annotations

import pytest

from shared.media.sniff import IMAGE_EXTENSIONS, SNIFF_BYTES, image_type, video_type

TS_PACKET = b"\x47\x40\x00\x10" + b"\xff" * 184
VIDEOS = {
    "mp4": (
        b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41\x00\x00\x00\x08free",
        "video/mp4",
    ),
    "m4v": (b"\x00\x00\x00\x1cftypM4V \x00\x00\x00\x01M4V M4A mp42isom", "video/mp4"),
    "3gp": (b"\x00\x00\x00\x14ftyp3gp4\x00\x00\x00\x003gp4", "video/mp4"),
    "mov": (b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  \x00\x00\x00\x08wide", "video/quicktime"),
    "webm": (
        bytes.fromhex("1a45dfa39f4286810142f7810142f2810442f381084282847765626d"),
        "video/webm",
    ),
    "mkv": (
        bytes.fromhex("1a45dfa3a34286810142f7810142f2810442f3810842828a6d6174726f736b61"),
        "video/webm",
    ),
    "ogv": (
        b"OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x7f\x1b\x00\x00\x00\x00\x00\x00\x80theora",
        "video/ogg",
    ),
    "avi": (b"RIFF\xf8\x0f\x01\x00AVI LIST\xec\x11\x00\x00hdrlavih", "video/x-msvideo"),
    "ts": (TS_PACKET * 2, "video/mp2t"),
    "mpg": (
        b"\x00\x00\x01\xba\x44\x00\x04\x00\x04\x01\x01\x89\xc3\xf8\x00\x00\x01\xbb",
        "video/mpeg",
    ),
}
IMAGES = {
    "jpeg": (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", "image/jpeg"),
    "exif-jpeg": (b"\xff\xd8\xff\xe1\x1c\x45Exif\x00\x00MM\x00*", "image/jpeg"),
    "png": (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06",
        "image/png",
    ),
    "gif87": (b"GIF87a\x01\x00\x01\x00\x80\x00\x00", "image/gif"),
    "gif89": (b"GIF89a\x01\x00\x01\x00\x80\x00\x00", "image/gif"),
    "webp": (b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00", "image/webp"),
}
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"


@pytest.mark.parametrize(("start", "mime"), VIDEOS.values(), ids=VIDEOS.keys())
def test_videos_are_recognised_and_are_not_images(start: bytes, mime: str) -> None:
    assert video_type(start) == mime
    assert image_type(start) is None


@pytest.mark.parametrize(("start", "mime"), IMAGES.values(), ids=IMAGES.keys())
def test_images_are_recognised_and_are_not_videos(start: bytes, mime: str) -> None:
    assert image_type(start) == mime
    assert video_type(start) is None
    assert mime in IMAGE_EXTENSIONS


def test_image_extensions() -> None:
    assert IMAGE_EXTENSIONS == {
        "image/jpeg": "jpg",
        "image/png": "png",
        "image/gif": "gif",
        "image/webp": "webp",
    }


@pytest.mark.parametrize(
    "start",
    [
        PDF,
        b"",
        b"\x00\x00\x00",
        b"<!DOCTYPE html><html>",
        b"Good morning, this is plain text" * 8,
        b"PK\x03\x04\x14\x00\x06\x00",
        b"RIFF\x24\x00\x00\x00WAVEfmt ",
        b"ID3\x04\x00\x00\x00\x00\x00\x00",
        b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf",
        b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic",
        b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00M4A mp42isom",
        b"\x00\x00\x00\x14ftyp",
        TS_PACKET[:64],
        TS_PACKET + b"\x00" * 10,
    ],
    ids=[
        "pdf",
        "empty",
        "short",
        "html",
        "text",
        "zip",
        "wav",
        "mp3",
        "avif",
        "heic",
        "m4a",
        "ftyp-no-brand",
        "ts-one-sync-byte",
        "ts-bad-second-sync",
    ],
)
def test_other_content_is_neither(start: bytes) -> None:
    assert video_type(start) is None
    assert image_type(start) is None


def test_sniff_bytes_cover_two_ts_sync_bytes() -> None:
    assert video_type((TS_PACKET * 2)[:SNIFF_BYTES]) == "video/mp2t"
    assert video_type((TS_PACKET * 2)[: SNIFF_BYTES - 1]) is None
