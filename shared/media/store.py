"""The media bucket: presigned uploads, small reads and writes, batch deletes and object URLs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from shared.config import Settings
from shared.media import references
from shared.media.s3 import s3_client

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

DELETE_BATCH = 1000  # the most keys one DeleteObjects call takes
_MISSING = {"404", "NoSuchKey", "NotFound"}


@dataclass(frozen=True)
class StoredObject:
    """What S3 holds under a key."""

    key: str
    size: int
    content_type: str


class DeleteFailed(RuntimeError):
    """DeleteObjects refused some keys (a key that does not exist is not a failure)."""

    def __init__(self, failures: dict[str, str]) -> None:
        self.failures = failures
        super().__init__(f"{len(failures)} objects not deleted: {failures}")


class MediaStore:
    """One bucket, and `public_base`: the origin its objects' canonical URLs start with."""

    def __init__(self, client: S3Client, bucket: str, public_base: str) -> None:
        self._client = client
        self._bucket = bucket
        self._public_base = public_base.rstrip("/")
        region = client.meta.region_name
        self._bases = (
            self._public_base,
            f"{client.meta.endpoint_url.rstrip('/')}/{bucket}",
            f"https://{bucket}.s3.{region}.amazonaws.com",
            f"https://{bucket}.s3.amazonaws.com",
        )

    def presigned_put(self, key: str, content_type: str, expires_seconds: int) -> str:
        """A URL the browser PUTs the file to, sending exactly this Content-Type."""
        return self._client.generate_presigned_url(
            "put_object",
            Params={"Bucket": self._bucket, "Key": _checked(key), "ContentType": content_type},
            ExpiresIn=expires_seconds,
        )

    def head(self, key: str) -> StoredObject | None:
        try:
            found = self._client.head_object(Bucket=self._bucket, Key=key)
        except ClientError as exc:
            if _code(exc) in _MISSING:
                return None
            raise
        content_type = found.get("ContentType", "binary/octet-stream")
        return StoredObject(key, found["ContentLength"], content_type)

    def read_start(self, key: str, length: int = 64) -> bytes:
        """The first `length` bytes (fewer if the object is shorter), for sniffing its type."""
        if length < 1:
            raise ValueError("length must be positive")
        try:
            response = self._client.get_object(
                Bucket=self._bucket, Key=key, Range=f"bytes=0-{length - 1}"
            )
        except ClientError as exc:
            if _code(exc) == "InvalidRange":  # the object is empty
                return b""
            raise
        with response["Body"] as body:
            return body.read()

    def put(self, key: str, body: bytes, content_type: str) -> None:
        self._client.put_object(
            Bucket=self._bucket, Key=_checked(key), Body=body, ContentType=content_type
        )

    def delete_many(self, keys: Iterable[str], *, batch_size: int = DELETE_BATCH) -> None:
        """Delete every key (missing ones included); raise DeleteFailed after trying them all."""
        if not 0 < batch_size <= DELETE_BATCH:
            raise ValueError(f"batch_size must be between 1 and {DELETE_BATCH}")
        failures: dict[str, str] = {}
        for batch in _batches(keys, batch_size):
            response = self._client.delete_objects(
                Bucket=self._bucket,
                Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True},
            )
            for error in response.get("Errors", []):
                failures[error.get("Key", "")] = f"{error.get('Code')}: {error.get('Message')}"
        if failures:
            raise DeleteFailed(failures)

    def object_url(self, key: str) -> str:
        """The canonical, unsigned reference to store: sign it with a PlaybackSigner to serve."""
        return references.object_url(self._public_base, key)

    def key_from_reference(self, reference: str) -> str | None:
        """The key behind a bare key, object_url, S3 presigned URL (either style) or CDN URL."""
        return references.key_from_reference(reference, self._bases)


def media_store(settings: Settings, client: S3Client | None = None) -> MediaStore:
    """The configured bucket, through `client` or the shared one; URLs on CloudFront if set."""
    aws = settings.aws
    cloudfront = settings.media.cloudfront
    if cloudfront is not None:
        public_base = f"https://{cloudfront.domain}"
    elif aws.endpoint_url:
        public_base = f"{aws.endpoint_url.rstrip('/')}/{aws.bucket}"
    else:
        public_base = f"https://{aws.bucket}.s3.{aws.region}.amazonaws.com"
    return MediaStore(client or s3_client(aws), aws.bucket, public_base)


def _checked(key: str) -> str:
    if not references.is_safe_key(key):
        raise ValueError(f"unsafe object key: {key!r}")
    return key


def _code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")


def _batches(items: Iterable[str], size: int) -> Iterator[list[str]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
