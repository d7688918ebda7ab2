"""The DynamoDB cost meter: one count per API call, by service, operation and table."""

from __future__ import annotations

import uuid

from prometheus_client import REGISTRY

from shared.dynamo.client import dynamodb_client
from shared.dynamo.codec import serialize, values
from shared.runtime import Runtime

METRIC = "prolearn_dynamodb_requests_total"


def _count(service: str, operation: str, table: str) -> float:
    labels = {"service": service, "operation": operation, "table": table}
    return REGISTRY.get_sample_value(METRIC, labels) or 0.0


def test_every_call_counts_once_for_each_table_it_touches(runtime: Runtime) -> None:
    service = f"meter{uuid.uuid4().hex[:6]}"  # counters are process-wide: a label of our own
    client = dynamodb_client(runtime.settings.aws, service=service)
    table = runtime.table
    key = serialize({"PK": "METER#1", "SK": "x"})

    client.put_item(TableName=table, Item=key)
    client.get_item(TableName=table, Key=key)
    client.get_item(TableName=table, Key=key)
    client.query(
        TableName=table,
        KeyConditionExpression="PK = :p",
        ExpressionAttributeValues=values(p="METER#1"),
    )
    client.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": table, "Item": serialize({"PK": "METER#2", "SK": "x"})}},
            {"Delete": {"TableName": table, "Key": key}},
        ]
    )
    client.batch_get_item(RequestItems={table: {"Keys": [key]}})

    assert _count(service, "PutItem", table) == 1
    assert _count(service, "GetItem", table) == 2
    assert _count(service, "Query", table) == 1
    assert _count(service, "TransactWriteItems", table) == 1
    assert _count(service, "BatchGetItem", table) == 1


def test_a_services_runtime_counts_as_that_service(runtime: Runtime) -> None:
    before = _count("enrollment", "DescribeTable", runtime.table)
    runtime.readiness_checks()["dynamodb"]()
    assert _count("enrollment", "DescribeTable", runtime.table) == before + 1
