"""Agora RTC join tokens behind a small port, so the 006 builder can be swapped for 007 later."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Protocol

from agora_token_builder import RtcTokenBuilder
from agora_token_builder.RtcTokenBuilder import Role_Publisher

MAX_UID = 2**32 - 1
CHANNEL_PUNCTUATION = " !#$%&()+-:;<=.>?@[]^_{}|~,"
_APP_ID = re.compile(r"[0-9a-fA-F]{32}")
_CHANNEL = re.compile(rf"[a-zA-Z0-9{re.escape(CHANNEL_PUNCTUATION)}]{{1,63}}")


class VideoUnavailable(Exception):
    """Video calls are not configured here: no Agora app id or app certificate."""


class VideoTokenIssuer(Protocol):
    def issue(self, channel: str, uid: int, expires_at: datetime) -> str:
        """A token letting `uid` join and publish in `channel` until `expires_at` (aware UTC)."""
        ...


class AgoraToken006:
    """Agora's legacy AccessToken ("006"), signed locally; the only class that knows the library.

    The token's own lifetime is fixed by the library at 24 h from issue, so an `expires_at`
    further away than that is cut short by Agora.
    """

    def __init__(self, app_id: str, app_certificate: str) -> None:
        if not _APP_ID.fullmatch(app_id):
            raise ValueError("an Agora app id is 32 hex characters")
        if not app_certificate:
            raise ValueError("an Agora app certificate is required")
        self._app_id = app_id
        self._app_certificate = app_certificate

    def issue(self, channel: str, uid: int, expires_at: datetime) -> str:
        _check_channel(channel)
        _check_uid(uid)
        token: str = RtcTokenBuilder.buildTokenWithUid(
            self._app_id,
            self._app_certificate,
            channel,
            uid,
            Role_Publisher,
            _unix_seconds(expires_at),
        )
        return token


class _Unconfigured:
    """Stands in when Agora is not configured; every request for a token is refused."""

    def issue(self, channel: str, uid: int, expires_at: datetime) -> str:
        raise VideoUnavailable("video calls are not configured (no Agora app id or certificate)")


def video_token_issuer(app_id: str | None, app_certificate: str | None) -> VideoTokenIssuer:
    if not app_id or not app_certificate:
        return _Unconfigured()
    return AgoraToken006(app_id, app_certificate)


def agora_uid(user_id: str) -> int:
    """A stable non-zero 32-bit uid: SHA-256(user id)'s first 4 bytes, big-endian; 0 becomes 1."""
    return int.from_bytes(hashlib.sha256(user_id.encode()).digest()[:4], "big") or 1


def _check_channel(channel: str) -> None:
    if not _CHANNEL.fullmatch(channel):
        raise ValueError(
            f"an Agora channel is 1-63 characters of a-z, A-Z, 0-9 and {CHANNEL_PUNCTUATION!r}"
        )


def _check_uid(uid: int) -> None:
    if isinstance(uid, bool) or not 1 <= uid <= MAX_UID:
        raise ValueError(f"an Agora uid is an integer in 1..{MAX_UID}")


def _unix_seconds(moment: datetime) -> int:
    if moment.utcoffset() is None:
        raise ValueError("expires_at must be timezone-aware")
    seconds = int(moment.timestamp())
    if not 0 < seconds <= MAX_UID:
        raise ValueError("expires_at is outside Agora's 32-bit timestamp range")
    return seconds
