"""The boto3 S3 client: SigV4, an explicit region, and moto or AWS depending on the endpoint."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

from shared.config import AwsSettings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


@functools.cache
def s3_client(aws: AwsSettings) -> S3Client:
    """One shared, thread-safe client per settings; only `aws` says where S3 is.

    AWS_ENDPOINT_URL and config-file endpoints are ignored, so None really means AWS. A local
    endpoint is addressed path-style (`{endpoint}/{bucket}/{key}`), AWS virtual-host style
    (`{bucket}.s3.{region}.amazonaws.com`; boto3 uses `{bucket}.s3.amazonaws.com` in us-east-1).
    """
    return boto3.client(
        "s3",
        region_name=aws.region,
        endpoint_url=aws.endpoint_url,
        config=Config(
            signature_version="s3v4",
            ignore_configured_endpoint_urls=True,  # type: ignore[call-arg]  # not in the stubs
            s3={"addressing_style": "path" if aws.endpoint_url else "virtual"},
            retries={"max_attempts": 4, "mode": "standard"},
            connect_timeout=2,
            read_timeout=10,
        ),
    )
