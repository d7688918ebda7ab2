"""The local DynamoDB emulator isolates transactions: a failed one never undoes another's write."""

from __future__ import annotations

import contextlib
import os
import uuid
from concurrent.futures import ThreadPoolExecutor

from botocore.exceptions import ClientError

from shared.config import load_settings
from shared.dynamo.client import dynamodb_client
from shared.dynamo.codec import serialize
from shared.dynamo.tables import ensure_table


def test_failed_transactions_do_not_erase_concurrent_writes() -> None:
    settings = load_settings(
        "emulator", {**os.environ, "TABLE_PREFIX": f"e{uuid.uuid4().hex[:8]}-"}
    )
    client = dynamodb_client(settings.aws)
    table = settings.table_name()
    ensure_table(client, table)

    def write(i: int) -> None:
        put = {"Put": {"TableName": table, "Item": serialize({"PK": f"OK#{i}", "SK": "x"})}}
        doomed = {
            "ConditionCheck": {
                "TableName": table,
                "Key": serialize({"PK": "MISSING", "SK": str(i)}),
                "ConditionExpression": "attribute_exists(PK)",
            }
        }
        client.transact_write_items(TransactItems=[put])
        with contextlib.suppress(ClientError):
            client.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": table, "Item": serialize({"PK": f"NO#{i}", "SK": "x"})}},
                    doomed,
                ]
            )

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(write, range(120)))
    for i in range(120):
        assert "Item" in client.get_item(
            TableName=table, Key=serialize({"PK": f"OK#{i}", "SK": "x"})
        )
        assert "Item" not in client.get_item(
            TableName=table, Key=serialize({"PK": f"NO#{i}", "SK": "x"})
        )
    client.delete_table(TableName=table)


def test_a_cancelled_transaction_restores_exactly_what_it_touched() -> None:
    settings = load_settings(
        "emulator", {**os.environ, "TABLE_PREFIX": f"e{uuid.uuid4().hex[:8]}-"}
    )
    client = dynamodb_client(settings.aws)
    table = settings.table_name()
    ensure_table(client, table)
    key = {"PK": "KEPT", "SK": "1"}
    client.put_item(TableName=table, Item=serialize({**key, "v": 1}))
    with contextlib.suppress(ClientError):
        client.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": table,
                        "Key": serialize(key),
                        "UpdateExpression": "SET v = :two",
                        "ExpressionAttributeValues": {":two": {"N": "2"}},
                    }
                },
                {"Put": {"TableName": table, "Item": serialize({"PK": "NEW", "SK": "1"})}},
                {
                    "ConditionCheck": {
                        "TableName": table,
                        "Key": serialize({"PK": "ABSENT", "SK": "1"}),
                        "ConditionExpression": "attribute_exists(PK)",
                    }
                },
            ]
        )
    assert client.get_item(TableName=table, Key=serialize(key))["Item"]["v"] == {"N": "1"}
    assert "Item" not in client.get_item(TableName=table, Key=serialize({"PK": "NEW", "SK": "1"}))
    client.delete_table(TableName=table)
