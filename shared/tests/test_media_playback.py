"""Playback URLs: S3 presigned GETs served by moto, CloudFront canned-policy signatures."""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import boto3
import botocore.auth
import pytest
import requests
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from shared.config import AwsSettings, Settings, load_settings
from shared.media.playback import (
    CloudFrontPlaybackSigner,
    PlaybackSigner,
    S3PlaybackSigner,
    StableUrls,
    playback_signer,
)
from shared.media.s3 import s3_client
from shared.media.store import media_store
from shared.provision import ensure_bucket

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PRIVATE_PEM = KEY.private_bytes(
    serialization.Encoding.PEM,
    serialization.PrivateFormat.PKCS8,
    serialization.NoEncryption(),
).decode()
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
DOMAIN = "d111111abcdef8.cloudfront.net"
KEY_PAIR_ID = "K2JCJMDEHXQW5F"


@pytest.fixture(scope="module")
def playback_settings(backing_services: dict[str, str]) -> Iterator[Settings]:
    settings = load_settings(
        "catalog", {**os.environ, "S3_BUCKET_NAME": f"playback-test-{uuid.uuid4().hex[:12]}"}
    )
    ensure_bucket(settings)
    yield settings
    client = s3_client(settings.aws)
    listed = client.list_objects_v2(Bucket=settings.aws.bucket).get("Contents", [])
    media_store(settings).delete_many(item["Key"] for item in listed)
    client.delete_bucket(Bucket=settings.aws.bucket)


def cloudfront_signer(seconds: int = 3600) -> CloudFrontPlaybackSigner:
    return CloudFrontPlaybackSigner(DOMAIN, KEY_PAIR_ID, PRIVATE_PEM, seconds, now=lambda: NOW)


def cloudfront_b64decode(value: str) -> bytes:
    return base64.b64decode(value.replace("-", "+").replace("_", "=").replace("~", "/"))


def verifies(signature: bytes, message: str) -> bool:
    """Whether `signature` is KEY's RSA-SHA1 PKCS#1 v1.5 signature of `message` (CloudFront's)."""
    sha1 = hashes.SHA1()  # noqa: S303
    try:
        KEY.public_key().verify(signature, message.encode(), padding.PKCS1v15(), sha1)
    except InvalidSignature:
        return False
    return True


# --- S3 ---


def test_s3_signed_url_gets_the_object(playback_settings: Settings) -> None:
    key = f"videos/{uuid.uuid4().hex}/lesson 1+intro.mp4"
    store = media_store(playback_settings)
    store.put(key, b"frames", "video/mp4")
    signer = playback_signer(playback_settings, s3_client(playback_settings.aws))

    url = signer.sign(key)
    response = requests.get(url, timeout=10)

    assert isinstance(signer.signer, S3PlaybackSigner)
    assert "X-Amz-Expires=3600" in url
    assert (response.status_code, response.content) == (200, b"frames")
    assert store.key_from_reference(url) == key


def test_s3_signing_makes_no_network_call() -> None:
    aws = AwsSettings("ap-south-1", "http://127.0.0.1:1", "", "nowhere-bucket")

    url = S3PlaybackSigner(s3_client(aws), aws.bucket, 60).sign("a.mp4")

    assert url.startswith("http://127.0.0.1:1/nowhere-bucket/a.mp4?")


KEYS = ("a.mp4", "courses/c1/thumbnails/x y.png", "videos/é+~!*()'&=?#%.mp4", "a//b/")


@pytest.mark.parametrize(
    ("endpoint", "region", "token"),
    [
        ("http://127.0.0.1:1", "ap-south-1", None),
        (None, "ap-south-1", None),
        (None, "us-east-1", "session/token+with=odd chars"),
    ],
    ids=["path_style", "virtual_host", "us_east_1_with_session_token"],
)
def test_s3_urls_are_botocores_to_the_byte(
    monkeypatch: pytest.MonkeyPatch, endpoint: str | None, region: str, token: str | None
) -> None:
    aws = AwsSettings(region, endpoint, "", "media-bucket")
    client = s3_client(aws)
    if token:
        monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
        config = client.meta.config
        client = boto3.client(
            "s3", region_name=region, config=config, aws_session_token=token,
            aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret/+key",
        )  # fmt: skip
    moment = NOW.replace(tzinfo=None)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: moment)
    signer = S3PlaybackSigner(client, aws.bucket, 900, now=lambda: NOW)

    for key in KEYS:
        expected = client.generate_presigned_url(
            "get_object", Params={"Bucket": aws.bucket, "Key": key}, ExpiresIn=900
        )
        assert signer.sign(key) == expected
    assert urlsplit(signer.sign("a")).netloc.endswith(".amazonaws.com") == (endpoint is None)


# --- CloudFront ---


def test_cloudfront_url_carries_a_canned_policy_signature() -> None:
    url = cloudfront_signer(seconds=600).sign("videos/c1/a b.mp4")

    resource, _, query = url.partition("?")
    params = {name: values[0] for name, values in parse_qs(query).items()}
    expires = int(NOW.timestamp()) + 600
    policy = (
        f'{{"Statement":[{{"Resource":"{resource}",'
        f'"Condition":{{"DateLessThan":{{"AWS:EpochTime":{expires}}}}}}}]}}'
    )

    assert resource == f"https://{DOMAIN}/videos/c1/a%20b.mp4"
    assert set(params) == {"Expires", "Signature", "Key-Pair-Id"}
    assert (params["Expires"], params["Key-Pair-Id"]) == (str(expires), KEY_PAIR_ID)
    signature = cloudfront_b64decode(params["Signature"])
    assert verifies(signature, policy)
    assert not verifies(signature, policy.replace("a%20b", "other"))


def test_cloudfront_expiry_follows_the_clock() -> None:
    moments = iter([NOW, NOW.replace(hour=11)])
    signer = CloudFrontPlaybackSigner(
        DOMAIN, KEY_PAIR_ID, PRIVATE_PEM, 60, now=lambda: next(moments)
    )

    first, second = (parse_qs(urlsplit(signer.sign("k")).query)["Expires"][0] for _ in range(2))

    assert int(second) - int(first) == 3600


def test_cloudfront_urls_are_media_store_references() -> None:
    settings = load_settings(
        "catalog",
        {
            "CLOUDFRONT_DOMAIN": DOMAIN,
            "CLOUDFRONT_KEY_PAIR_ID": KEY_PAIR_ID,
            "CLOUDFRONT_PRIVATE_KEY": PRIVATE_PEM.replace("\n", "\\n"),
            "PLAYBACK_URL_SECONDS": "120",
        },
    )
    signer = playback_signer(settings, s3_client(settings.aws))

    url = signer.sign("videos/c1/a b.mp4")

    assert isinstance(signer.signer, CloudFrontPlaybackSigner)
    assert media_store(settings).key_from_reference(url) == "videos/c1/a b.mp4"


def test_partial_cloudfront_settings_fall_back_to_s3() -> None:
    settings = load_settings("catalog", {"CLOUDFRONT_DOMAIN": DOMAIN})

    assert isinstance(playback_signer(settings, s3_client(settings.aws)).signer, S3PlaybackSigner)


def test_cloudfront_needs_an_rsa_key() -> None:
    ec_pem = (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )

    with pytest.raises(TypeError, match="RSA"):
        CloudFrontPlaybackSigner(DOMAIN, KEY_PAIR_ID, ec_pem, 60)


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def stable_s3_urls(clock: Clock, seconds: int = 3600) -> tuple[StableUrls, list[str]]:
    """StableUrls over the S3 signer, recording every key the S3 signer actually signed."""
    signed: list[str] = []
    client = s3_client(load_settings("catalog", {}).aws)

    def make(now: Callable[[], datetime]) -> PlaybackSigner:
        s3 = S3PlaybackSigner(client, "media", seconds, now)

        class Recording:
            def sign(self, key: str) -> str:
                signed.append(key)
                return s3.sign(key)

        return Recording()

    return StableUrls(make, seconds, now=clock), signed


def test_a_key_gets_the_same_url_for_a_quarter_of_the_lifetime() -> None:
    clock = Clock(datetime(2026, 12, 7, 10, 14, 59, tzinfo=UTC))
    urls, signed = stable_s3_urls(clock)
    first = urls.sign("thumbnails/a.png")
    clock.at = datetime(2026, 12, 7, 10, 0, 0, tzinfo=UTC) + timedelta(seconds=899)
    assert urls.sign("thumbnails/a.png") == first
    assert signed == ["thumbnails/a.png"]
    clock.at = datetime(2026, 12, 7, 10, 15, 0, tzinfo=UTC)
    assert urls.sign("thumbnails/a.png") != first
    assert len(signed) == 2


def test_a_stable_url_is_good_for_at_least_three_quarters_of_the_lifetime() -> None:
    clock = Clock(datetime(2026, 12, 7, 10, 14, 59, tzinfo=UTC))
    urls, _ = stable_s3_urls(clock)
    query = parse_qs(urlsplit(urls.sign("thumbnails/a.png")).query)
    signed_at = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    good_until = signed_at + timedelta(seconds=int(query["X-Amz-Expires"][0]))
    assert signed_at == datetime(2026, 12, 7, 10, 0, 0, tzinfo=UTC)
    assert good_until - clock.at >= timedelta(seconds=2700)
    assert good_until - clock.at <= timedelta(seconds=3600)


def test_a_cloudfront_url_ends_a_lifetime_after_its_quarter_began() -> None:
    clock = Clock(datetime(2026, 12, 7, 10, 29, 0, tzinfo=UTC))
    urls = StableUrls(
        lambda now: CloudFrontPlaybackSigner(DOMAIN, KEY_PAIR_ID, PRIVATE_PEM, 3600, now),
        3600,
        now=clock,
    )
    expires = int(parse_qs(urlsplit(urls.sign("videos/v.mp4")).query)["Expires"][0])
    assert expires == int(datetime(2026, 12, 7, 11, 15, 0, tzinfo=UTC).timestamp())
