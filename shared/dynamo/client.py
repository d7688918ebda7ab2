"""The boto3 DynamoDB client: same code for moto and AWS, only the endpoint differs."""

from __future__ import annotations

import threading
from typing import Any

import boto3
from botocore.config import Config

from shared.config import AwsSettings

_clients: dict[tuple[str | None, str, bool, bool], Any] = {}
_lock = threading.Lock()


class ScanForbidden(RuntimeError):
    """Raised by the scan guard: request paths must use keys and indexes, never scans."""


def _guard(params: dict[str, Any], model: Any, **_: Any) -> None:
    name = model.name
    if name == "Scan":
        raise ScanForbidden("Scan issued on a request path")
    if name == "Query" and "FilterExpression" in params and "Limit" not in params:
        raise ScanForbidden("unbounded FilterExpression read")


def dynamodb_client(settings: AwsSettings, *, scan_guard: bool = False, quick: bool = False) -> Any:
    """A shared, thread-safe client; with scan_guard, Scan and unbounded filters raise. A quick
    client tries once with short timeouts, for reads that must answer fast or not at all (a
    metrics scrape)."""
    key = (settings.endpoint_url, settings.region, scan_guard, quick)
    with _lock:
        client = _clients.get(key)
        if client is None:
            client = boto3.client(
                "dynamodb",
                region_name=settings.region,
                endpoint_url=settings.endpoint_url,
                config=Config(
                    retries={"max_attempts": 1 if quick else 4, "mode": "standard"},
                    connect_timeout=1 if quick else 2,
                    read_timeout=2 if quick else 5,
                    max_pool_connections=4 if quick else 32,
                    tcp_keepalive=True,
                ),
            )
            if scan_guard:
                client.meta.events.register("provide-client-params.dynamodb.*", _guard)
            _clients[key] = client
    return client
