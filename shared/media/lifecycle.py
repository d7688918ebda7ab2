"""The bucket's staging prefix, and the lifecycle rule that expires uploads nobody kept."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

STAGING_PREFIX = "staging/"
"""Presigned uploads land here; saving a course moves what it keeps out of it."""
STAGING_RULE_ID = "expire-unsaved-uploads"


def staging_rule(days: int) -> dict[str, Any]:
    """Delete staged objects `days` after upload, and abandoned multipart uploads too."""
    return {
        "ID": STAGING_RULE_ID,
        "Filter": {"Prefix": STAGING_PREFIX},
        "Status": "Enabled",
        "Expiration": {"Days": days},
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": days},
    }


def ensure_staging_expiry(client: S3Client, bucket: str, days: int) -> None:
    """Our rule, replacing an older version of it and keeping every other rule the bucket has
    (a put replaces the whole configuration)."""
    others = [rule for rule in _rules(client, bucket) if rule.get("ID") != STAGING_RULE_ID]
    configuration: Any = {"Rules": [*others, staging_rule(days)]}
    client.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=configuration)


def _rules(client: S3Client, bucket: str) -> list[dict[str, Any]]:
    try:
        rules: list[Any] = client.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "NoSuchLifecycleConfiguration":
            return []
        raise
    return rules
