"""The moto floor: what one DynamoDB call costs on the local emulator, with nothing else running."""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from shared.config import load_settings
from shared.dynamo.client import dynamodb_client
from shared.dynamo.codec import serialize, values


def _median_ms(call: Callable[[], Any], times: int = 200) -> float:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 2)


def moto_floor(env: Mapping[str, str]) -> dict[str, float]:
    settings = load_settings("catalog", env)
    client = dynamodb_client(settings.aws)
    table = settings.table_name()
    key = serialize({"PK": "BENCH#floor", "SK": "x"})
    client.put_item(TableName=table, Item={**key, "v": {"N": "1"}})
    return {
        "get_item_ms": _median_ms(lambda: client.get_item(TableName=table, Key=key)),
        "query_published_page_ms": _median_ms(
            lambda: client.query(
                TableName=table,
                IndexName="GSI2",
                KeyConditionExpression="GSI2PK = :p",
                ExpressionAttributeValues=values(p="PUBLISHED"),
                ScanIndexForward=False,
                Limit=20,
            )
        ),
        "transact_write_ms": _median_ms(
            lambda: client.transact_write_items(
                TransactItems=[{"Put": {"TableName": table, "Item": {**key, "v": {"N": "2"}}}}]
            )
        ),
        "batch_write_25_messages_ms": _median_ms(
            lambda: _batch_of_messages(client, load_settings("chat", env).table_name()), 50
        ),
    }


def _batch_of_messages(client: Any, table: str) -> None:
    """What chat's writer does under load: 25 chat messages in one BatchWriteItem."""
    items = [
        {"PutRequest": {"Item": serialize({"PK": "ROOM#floor", "SK": f"MSG#{uuid.uuid4().hex}",
                                           "text": "t=1|1|run", "senderId": "user_x"})}}
        for _ in range(25)
    ]  # fmt: skip
    client.batch_write_item(RequestItems={table: items})
