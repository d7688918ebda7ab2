"""Short-lived GET URLs for private media: S3 presigned, or CloudFront signed when configured."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from botocore.signers import CloudFrontSigner
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from shared.clock import utc_now
from shared.config import Settings
from shared.media.references import object_url

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class PlaybackSigner(Protocol):
    def sign(self, key: str) -> str:
        """A URL that GETs `key` for a short while; computed locally, no network call."""
        ...


class S3PlaybackSigner:
    """SigV4 presigned GetObject URLs straight from the bucket."""

    def __init__(self, client: S3Client, bucket: str, seconds: int) -> None:
        self._client = client
        self._bucket = bucket
        self._seconds = seconds

    def sign(self, key: str) -> str:
        return self._client.generate_presigned_url(
            "get_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=self._seconds
        )


class CloudFrontPlaybackSigner:
    """CloudFront canned-policy URLs, signed with the trusted key group's RSA private key."""

    def __init__(
        self,
        domain: str,
        key_pair_id: str,
        private_key_pem: str,
        seconds: int,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise TypeError("CloudFront signing needs an RSA private key")
        self._key = key
        self._base = f"https://{domain}"
        self._signer = CloudFrontSigner(key_pair_id, self._rsa_sign)
        self._lifetime = timedelta(seconds=seconds)
        self._now = now

    def sign(self, key: str) -> str:
        return self._signer.generate_presigned_url(
            object_url(self._base, key), date_less_than=self._now() + self._lifetime
        )

    def _rsa_sign(self, message: bytes) -> bytes:
        """RSA-SHA1 with PKCS#1 v1.5: the only signature CloudFront accepts."""
        return self._key.sign(message, padding.PKCS1v15(), hashes.SHA1())  # noqa: S303


def playback_signer(settings: Settings, client: S3Client) -> PlaybackSigner:
    """CloudFront when domain, key pair id and key are all configured, else S3 presigning."""
    media = settings.media
    cloudfront = media.cloudfront
    if cloudfront is None:
        return S3PlaybackSigner(client, settings.aws.bucket, media.playback_url_seconds)
    return CloudFrontPlaybackSigner(
        cloudfront.domain,
        cloudfront.key_pair_id,
        cloudfront.private_key,
        media.playback_url_seconds,
    )
