"""The boto3 DynamoDB client: same code for moto and AWS, only the endpoint differs."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import boto3
import botocore.session
from botocore.config import Config

from shared.config import AwsSettings
from shared.dynamo.parsing import DynamoDBParserFactory
from shared.metrics.instruments import DYNAMODB_REQUESTS, UNKNOWN

_clients: dict[tuple[str | None, str, bool, bool, str], Any] = {}
_lock = threading.Lock()


class ScanForbidden(RuntimeError):
    """Raised by the scan guard: request paths must use keys and indexes, never scans."""


def _guard(params: dict[str, Any], model: Any, **_: Any) -> None:
    name = model.name
    if name == "Scan":
        raise ScanForbidden("Scan issued on a request path")
    if name == "Query" and "FilterExpression" in params and "Limit" not in params:
        raise ScanForbidden("unbounded FilterExpression read")


def tables_of(params: dict[str, Any]) -> list[str]:
    """The tables one call touches: its TableName, or those its items or request map name."""
    if "TableName" in params:
        return [params["TableName"]]
    if "RequestItems" in params:  # BatchGetItem, BatchWriteItem
        return sorted(params["RequestItems"])
    actions = (a for item in params.get("TransactItems", ()) for a in item.values())
    return sorted({a["TableName"] for a in actions if "TableName" in a}) or [UNKNOWN]


def _note_tables(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    context["prolearn_tables"] = tables_of(params)


def _counter(service: str) -> Callable[..., None]:
    def count(model: Any, context: dict[str, Any], **_: Any) -> None:
        for table in context.get("prolearn_tables", (UNKNOWN,)):
            DYNAMODB_REQUESTS.labels(service, model.name, table).inc()

    return count


def _session() -> boto3.session.Session:
    """A boto3 session like the default one, whose DynamoDB responses skip botocore's walk of
    the model per attribute value (shared/dynamo/parsing.py)."""
    core = botocore.session.get_session()
    core.register_component("response_parser_factory", DynamoDBParserFactory())
    return boto3.session.Session(botocore_session=core)


def dynamodb_client(
    settings: AwsSettings, *, scan_guard: bool = False, quick: bool = False, service: str = UNKNOWN
) -> Any:
    """A shared, thread-safe client; with scan_guard, Scan and unbounded filters raise. A quick
    client tries once with short timeouts, for reads that must answer fast or not at all (a
    metrics scrape). Every API call it makes counts in `prolearn_dynamodb_requests` as
    `service`'s, once (its retries do not count; a call the scan guard refuses is never made)."""
    key = (settings.endpoint_url, settings.region, scan_guard, quick, service)
    with _lock:
        client = _clients.get(key)
        if client is None:
            client = _session().client(
                "dynamodb",
                region_name=settings.region,
                endpoint_url=settings.endpoint_url,
                config=Config(
                    retries={"max_attempts": 1 if quick else 4, "mode": "standard"},
                    connect_timeout=1 if quick else 2,
                    read_timeout=2 if quick else 5,
                    max_pool_connections=4 if quick else 32,
                    tcp_keepalive=True,
                    # DynamoDB (and moto) check every request themselves; botocore's own pass
                    # over the parameters cost 5-10 % of a call's CPU here (bench/README.md)
                    parameter_validation=False,
                ),
            )
            if scan_guard:
                client.meta.events.register("provide-client-params.dynamodb.*", _guard)
            client.meta.events.register("before-parameter-build.dynamodb.*", _note_tables)
            client.meta.events.register("before-call.dynamodb.*", _counter(service))
            _clients[key] = client
    return client
