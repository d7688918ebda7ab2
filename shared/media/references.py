"""Object keys and the URLs that name them: the canonical URL, and parsing any of them back."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import SplitResult, quote, unquote, urlsplit

MAX_KEY_BYTES = 1024
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_safe_key(key: str) -> bool:
    """A key that names exactly one object and cannot climb out of its prefix."""
    return (
        0 < len(key.encode()) <= MAX_KEY_BYTES
        and key.isprintable()
        and not key.startswith("/")
        and "\\" not in key
        and not {".", ".."} & set(key.split("/"))
    )


def object_url(base: str, key: str) -> str:
    """`base/quoted-key`: the unsigned URL of `key` under `base` (no trailing slash)."""
    return f"{base}/{quote(key)}"


def key_from_reference(reference: str, bases: Iterable[str]) -> str | None:
    """The key named by a bare key or by a URL under one of `bases` (query ignored), if safe."""
    if not _SCHEME.match(reference):
        return reference if is_safe_key(reference) else None
    url = urlsplit(reference)
    origin = _origin(url)
    if origin is None:
        return None
    for base in bases:
        root = urlsplit(base)
        prefix = root.path.rstrip("/") + "/"
        if origin == _origin(root) and url.path.startswith(prefix):
            return _decoded_key(url.path[len(prefix) :])
    return None


def _decoded_key(path: str) -> str | None:
    try:
        key = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return None
    return key if is_safe_key(key) else None


def _origin(url: SplitResult) -> tuple[str, str | None, int | None] | None:
    scheme = url.scheme.lower()
    try:
        port = url.port or _DEFAULT_PORTS.get(scheme)
    except ValueError:
        return None
    return scheme, url.hostname, port
