"""The media bucket: presigned uploads, small reads, writes and copies, batch deletes, URLs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, Any

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
    etag: str = field(default="", compare=False)
    """Names this content: a copy can insist the source still has it."""


class ObjectChanged(Exception):
    """The source of a copy is no longer the content it was checked as (S3 answered 412)."""


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

    def presigned_put(
        self, key: str, content_type: str, expires_seconds: int, size: int | None = None
    ) -> str:
        """A URL the browser PUTs the file to, sending exactly this Content-Type (and, when
        `size` is given, exactly that many bytes: Content-Length becomes a signed header)."""
        params: dict[str, Any] = {
            "Bucket": self._bucket,
            "Key": _checked(key),
            "ContentType": content_type,
        }
        if size is not None:
            params["ContentLength"] = size
        return self._client.generate_presigned_url(
            "put_object", Params=params, ExpiresIn=expires_seconds
        )

    def presigned_post(
        self, key: str, content_type: str, max_bytes: int, expires_seconds: int
    ) -> dict[str, Any]:
        """`{url, fields}` for a browser form POST of this Content-Type; S3 itself refuses a
        file outside 1..`max_bytes` (the policy's content-length-range)."""
        post = self._client.generate_presigned_post(
            self._bucket,
            _checked(key),
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=expires_seconds,
        )
        return {"url": post["url"], "fields": post["fields"]}

    def copy(self, source: str, destination: str, if_etag: str = "") -> None:
        """A server-side copy, content type included (objects are at most 5 GiB: one call);
        with `if_etag`, only of that content, else ObjectChanged."""
        condition: dict[str, Any] = {"CopySourceIfMatch": if_etag} if if_etag else {}
        try:
            self._client.copy_object(
                Bucket=self._bucket,
                Key=_checked(destination),
                CopySource={"Bucket": self._bucket, "Key": source},
                MetadataDirective="COPY",
                **condition,
            )
        except ClientError as exc:
            if _code(exc) in ("PreconditionFailed", "412"):
                raise ObjectChanged(source) from exc
            raise

    def head(self, key: str) -> StoredObject | None:
        try:
            found = self._client.head_object(Bucket=self._bucket, Key=key)
        except ClientError as exc:
            if _code(exc) in _MISSING:
                return None
            raise
        content_type = found.get("ContentType", "binary/octet-stream")
        return StoredObject(key, found["ContentLength"], content_type, found.get("ETag", ""))

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
