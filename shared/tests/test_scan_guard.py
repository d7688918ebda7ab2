"""The scan guard refuses Scan and unbounded filtered reads."""

from __future__ import annotations

import pytest

from shared.dynamo.client import ScanForbidden, dynamodb_client
from shared.dynamo.codec import values
from shared.runtime import Runtime


def test_scan_and_unbounded_filter_are_refused(runtime: Runtime) -> None:
    guarded = dynamodb_client(runtime.settings.aws, scan_guard=True)
    with pytest.raises(ScanForbidden):
        guarded.scan(TableName=runtime.table)
    with pytest.raises(ScanForbidden):
        guarded.query(
            TableName=runtime.table,
            KeyConditionExpression="PK = :p",
            FilterExpression="attribute_exists(x)",
            ExpressionAttributeValues=values(p="A"),
        )
    bounded = guarded.query(
        TableName=runtime.table,
        KeyConditionExpression="PK = :p",
        ExpressionAttributeValues=values(p="A"),
    )
    assert bounded["Items"] == []
