"""Agora 006 tokens parse back, carry the expiry, and verify only with the right certificate."""

from __future__ import annotations

import base64
import hmac
import zlib
from datetime import UTC, datetime, timedelta, timezone
from hashlib import sha256

import pytest
from agora_token_builder.AccessToken import AccessToken, unPackContent

from mentorship.adapters.video_tokens import (
    CHANNEL_PUNCTUATION,
    MAX_UID,
    AgoraToken006,
    VideoUnavailable,
    agora_uid,
    video_token_issuer,
)

APP_ID = "970ca35de60c44645bbae8a215061b33"
CERT = "5cfd2fd1755d40ecb72977518be15d3b"
CHANNEL = "mentorship-01HZX4"
UID = 2882341273
EXPIRES = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
EXPIRES_TS = int(EXPIRES.timestamp())


def _token(channel: str = CHANNEL, uid: int = UID) -> str:
    return AgoraToken006(APP_ID, CERT).issue(channel, uid, EXPIRES)


def _signature_valid(token: str, cert: str, channel: str = CHANNEL, uid: int = UID) -> bool:
    signature, _, _, message = unPackContent(base64.b64decode(token[35:]))
    signed = APP_ID.encode() + channel.encode() + str(uid).encode() + message
    return hmac.compare_digest(signature, hmac.new(cert.encode(), signed, sha256).digest())


def test_token_is_version_006_followed_by_the_app_id() -> None:
    assert _token().startswith("006" + APP_ID)


def test_publisher_privileges_expire_at_the_given_instant() -> None:
    parsed = AccessToken()

    assert parsed.fromString(_token()) is True
    assert parsed.messages == {1: EXPIRES_TS, 2: EXPIRES_TS, 3: EXPIRES_TS, 4: EXPIRES_TS}


def test_expiry_is_an_absolute_instant_whatever_the_offset() -> None:
    ist = EXPIRES.astimezone(timezone(timedelta(hours=5, minutes=30)))
    parsed = AccessToken()

    assert parsed.fromString(AgoraToken006(APP_ID, CERT).issue(CHANNEL, UID, ist))
    assert set(parsed.messages.values()) == {EXPIRES_TS}


def test_signature_verifies_with_the_certificate() -> None:
    assert _signature_valid(_token(), CERT)


def test_signature_does_not_verify_with_another_certificate() -> None:
    assert not _signature_valid(_token(), "0" * 32)


def test_signature_binds_channel_and_uid() -> None:
    token = _token()

    assert not _signature_valid(token, CERT, channel="another-channel")
    assert not _signature_valid(token, CERT, uid=UID + 1)


def test_token_carries_crcs_of_channel_and_uid() -> None:
    _, crc_channel, crc_uid, _ = unPackContent(base64.b64decode(_token()[35:]))

    assert crc_channel == zlib.crc32(CHANNEL.encode()) & 0xFFFFFFFF
    assert crc_uid == zlib.crc32(str(UID).encode()) & 0xFFFFFFFF


@pytest.mark.parametrize("uid", [1, MAX_UID])
def test_uid_bounds_are_accepted(uid: int) -> None:
    assert _signature_valid(_token(uid=uid), CERT, uid=uid)


@pytest.mark.parametrize("uid", [0, -1, MAX_UID + 1, True])
def test_bad_uid_is_refused(uid: int) -> None:
    with pytest.raises(ValueError, match="uid"):
        _token(uid=uid)


def test_every_allowed_character_is_accepted_up_to_63_bytes() -> None:
    channel = ("aZ9" + CHANNEL_PUNCTUATION + "x" * 63)[:63]

    assert _signature_valid(_token(channel=channel), CERT, channel=channel)


@pytest.mark.parametrize("channel", ["", "x" * 64, "a/b", "tab\there", "café", "quo'te", "a\\b"])
def test_bad_channel_is_refused(channel: str) -> None:
    with pytest.raises(ValueError, match="channel"):
        _token(channel=channel)


def test_naive_expiry_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        AgoraToken006(APP_ID, CERT).issue(CHANNEL, UID, datetime(2026, 11, 25, 11, 0))


@pytest.mark.parametrize("app_id", ["", "970ca35de60c", APP_ID + "0", "g" * 32])
def test_app_id_must_be_32_hex_characters(app_id: str) -> None:
    with pytest.raises(ValueError, match="app id"):
        AgoraToken006(app_id, CERT)


@pytest.mark.parametrize(
    ("app_id", "cert"), [(None, CERT), (APP_ID, None), ("", CERT), (None, None)]
)
def test_unconfigured_issuer_refuses_with_video_unavailable(
    app_id: str | None, cert: str | None
) -> None:
    issuer = video_token_issuer(app_id, cert)

    with pytest.raises(VideoUnavailable):
        issuer.issue(CHANNEL, UID, EXPIRES)


def test_configured_issuer_builds_agora_tokens() -> None:
    token = video_token_issuer(APP_ID, CERT).issue(CHANNEL, UID, EXPIRES)

    assert _signature_valid(token, CERT)


def test_agora_uid_is_the_first_four_bytes_of_sha256() -> None:
    assert agora_uid("user_2abc") == int.from_bytes(sha256(b"user_2abc").digest()[:4], "big")


def test_agora_uid_is_stable_non_zero_and_32_bit() -> None:
    uids = [agora_uid(f"user_{n}") for n in range(1000)]

    assert uids == [agora_uid(f"user_{n}") for n in range(1000)]
    assert all(1 <= uid <= MAX_UID for uid in uids)
    assert len(set(uids)) == len(uids)
