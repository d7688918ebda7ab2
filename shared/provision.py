"""Create every service's table and the media bucket, idempotently."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from botocore.exceptions import ClientError

from shared.config import Settings, load_settings
from shared.dynamo.client import dynamodb_client
from shared.dynamo.tables import ensure_table
from shared.logs import configure_logging
from shared.media.lifecycle import ensure_staging_expiry
from shared.media.s3 import s3_client

SERVICES_WITH_TABLES = ("catalog", "billing", "enrollment", "mentorship", "chat", "notifications")

log = logging.getLogger(__name__)


def ensure_bucket(settings: Settings) -> None:
    """The private media bucket, with CORS so the frontend's origins can PUT or POST uploads and
    GET signed media straight from S3, and a lifecycle rule that expires unsaved uploads."""
    aws = settings.aws
    s3 = s3_client(aws)
    try:
        s3.head_bucket(Bucket=aws.bucket)
    except ClientError:
        if aws.region == "us-east-1":
            s3.create_bucket(Bucket=aws.bucket)
        else:
            location: Any = {"LocationConstraint": aws.region}
            s3.create_bucket(Bucket=aws.bucket, CreateBucketConfiguration=location)
    s3.put_bucket_cors(
        Bucket=aws.bucket,
        CORSConfiguration={
            "CORSRules": [
                {
                    "AllowedOrigins": list(settings.client_urls),
                    "AllowedMethods": ["PUT", "POST", "GET", "HEAD"],
                    "AllowedHeaders": ["Content-Type"],
                    "ExposeHeaders": ["ETag"],
                    "MaxAgeSeconds": 3600,
                }
            ]
        },
    )
    ensure_staging_expiry(s3, aws.bucket, settings.media.staging_expiry_days)


def provision(services: tuple[str, ...] = SERVICES_WITH_TABLES) -> None:
    """With the settings of `provision`, which hold no secret: it needs none of the services'."""
    settings = load_settings("provision")
    dynamodb = dynamodb_client(settings.aws)
    for service in services:
        ensure_table(dynamodb, settings.table_name(service))
        log.info("table ready", extra={"table": settings.table_name(service)})
    ensure_bucket(settings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("services", nargs="*", default=list(SERVICES_WITH_TABLES))
    args = parser.parse_args()
    configure_logging("provision")
    provision(tuple(args.services))


if __name__ == "__main__":
    main()
