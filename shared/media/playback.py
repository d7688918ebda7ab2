"""Short-lived GET URLs for private media: S3 presigned, or CloudFront signed when configured."""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qs, quote, urlsplit

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


@dataclass(frozen=True)
class _SigningBase:
    """What every URL of one bucket shares, read off one URL botocore presigned."""

    origin: str
    host: str
    prefix: str
    region: str
    service: str
    credentials: Any
    """The client's own credentials object: refreshed in place when they rotate."""

    @classmethod
    def of(cls, client: S3Client, bucket: str) -> _SigningBase:
        probe = urlsplit(
            client.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"})
        )
        scope = parse_qs(probe.query)["X-Amz-Credential"][0].split("/")
        return cls(
            origin=f"{probe.scheme}://{probe.netloc}",
            host=probe.netloc,
            prefix=probe.path.removesuffix("/k"),
            region=scope[2],
            service=scope[3],
            credentials=client._request_signer._credentials,  # type: ignore[attr-defined]
        )


class S3PlaybackSigner:
    """SigV4 presigned GetObject URLs straight from the bucket: the very URL botocore's
    `generate_presigned_url` makes, computed here in a tenth of its time (a listing signs one
    thumbnail a card). The first URL botocore signs gives the bucket's base URL and the
    credential scope; the signing key is derived once a day."""

    def __init__(
        self,
        client: S3Client,
        bucket: str,
        seconds: int,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self._client = client
        self._bucket = bucket
        self._seconds = seconds
        self._now = now
        self._signing_key: tuple[str, str, bytes] = ("", "", b"")

    @functools.cached_property
    def _base(self) -> _SigningBase:
        return _SigningBase.of(self._client, self._bucket)

    def sign(self, key: str) -> str:
        base = self._base
        credentials = base.credentials.get_frozen_credentials()
        moment = self._now().astimezone(UTC)
        stamp, day = moment.strftime("%Y%m%dT%H%M%SZ"), moment.strftime("%Y%m%d")
        scope = f"{day}/{base.region}/{base.service}/aws4_request"
        params = [
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
            ("X-Amz-Credential", f"{credentials.access_key}/{scope}"),
            ("X-Amz-Date", stamp),
            ("X-Amz-Expires", str(self._seconds)),
            ("X-Amz-SignedHeaders", "host"),
            *([("X-Amz-Security-Token", credentials.token)] if credentials.token else []),
        ]  # in botocore's order; the canonical request has them sorted
        pairs = [f"{name}={quote(value, safe='-_.~')}" for name, value in params]
        query = "&".join(pairs)
        path = f"{base.prefix}/{quote(key, safe='/~')}"
        canonical = "&".join(sorted(pairs))
        request = f"GET\n{path}\n{canonical}\nhost:{base.host}\n\nhost\nUNSIGNED-PAYLOAD"
        digest = hashlib.sha256(request.encode()).hexdigest()
        to_sign = f"AWS4-HMAC-SHA256\n{stamp}\n{scope}\n{digest}"
        signing_key = self._key(base, credentials.secret_key, day)
        signature = hmac.new(signing_key, to_sign.encode(), "sha256").hexdigest()
        return f"{base.origin}{path}?{query}&X-Amz-Signature={signature}"

    def _key(self, base: _SigningBase, secret: str, day: str) -> bytes:
        """SigV4's signing key for `day`: four HMACs, so kept until the day or secret changes."""
        cached_secret, cached_day, key = self._signing_key
        if (cached_secret, cached_day) != (secret, day):
            key = f"AWS4{secret}".encode()
            for part in (day, base.region, base.service, "aws4_request"):
                key = hmac.new(key, part.encode(), "sha256").digest()
            self._signing_key = (secret, day, key)
        return key


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


class StableUrls:
    """One URL per key for a quarter of the URL lifetime: signed as of the start of that quarter
    (so a URL handed out is good for at least three quarters of the lifetime) and kept, so a
    page of cards signs nothing most of the time and a browser finds the thumbnail it cached
    under the same URL on the next page load. At most `max_urls` are kept per quarter."""

    def __init__(
        self,
        make: Callable[[Callable[[], datetime]], PlaybackSigner],
        seconds: int,
        now: Callable[[], datetime] = utc_now,
        max_urls: int = 10_000,
    ) -> None:
        self._window = max(1, seconds // 4)
        self._now = now
        self._max_urls = max_urls
        self._current = -1
        self._urls: dict[str, str] = {}
        self.signer = make(self._window_start)

    def sign(self, key: str) -> str:
        window = int(self._now().timestamp()) // self._window
        if window != self._current or len(self._urls) >= self._max_urls:
            self._urls, self._current = {}, window
        urls = self._urls
        url = urls.get(key)
        if url is None:
            url = urls[key] = self.signer.sign(key)
        return url

    def _window_start(self) -> datetime:
        window = int(self._now().timestamp()) // self._window
        return datetime.fromtimestamp(window * self._window, UTC)


def playback_signer(settings: Settings, client: S3Client) -> StableUrls:
    """CloudFront when domain, key pair id and key are all configured, else S3 presigning; either
    behind StableUrls."""
    media = settings.media
    cloudfront = media.cloudfront

    def make(now: Callable[[], datetime]) -> PlaybackSigner:
        if cloudfront is None:
            return S3PlaybackSigner(client, settings.aws.bucket, media.playback_url_seconds, now)
        return CloudFrontPlaybackSigner(
            cloudfront.domain,
            cloudfront.key_pair_id,
            cloudfront.private_key,
            media.playback_url_seconds,
            now,
        )

    return StableUrls(make, media.playback_url_seconds)
