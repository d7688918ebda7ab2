"""The emulator's Query shortcut answers exactly what moto's own Query answers."""

from __future__ import annotations

import copy
import random
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.models import table as table_module
from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.models.table import Table

from devstack import emulator_queries
from devstack.emulator import install_transaction_isolation, install_uncopied_results
from devstack.emulator_queries import install_partitioned_queries, note_call
from shared.dynamo.tables import INDEXES, table_definition

TABLE = f"queries-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """moto in this process (not the test session's emulator server)."""
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
        monkeypatch.delenv(name, raising=False)
    install_transaction_isolation()
    install_partitioned_queries()
    install_uncopied_results()
    with mock_aws():
        dynamodb = boto3.client(
            "dynamodb",
            region_name="ap-south-1",
            aws_access_key_id="x",
            aws_secret_access_key="y",
        )
        dynamodb.create_table(**table_definition(TABLE))
        yield dynamodb
        dynamodb.delete_table(TableName=TABLE)
    note_call("DeleteTable")


def s(value: str) -> dict[str, str]:
    return {"S": value}


def fill(client: Any, rng: random.Random, count: int) -> None:
    index = INDEXES[0]
    for i in range(count):
        item = {"PK": s(f"P{rng.randrange(6)}"), "SK": s(f"{rng.choice('abc')}#{i:04d}")}
        if rng.random() < 0.7:
            item[f"{index}PK"] = s(f"G{rng.randrange(4)}")
            item[f"{index}SK"] = s(f"{rng.choice('xy')}#{rng.randrange(50):03d}")
        client.put_item(TableName=TABLE, Item=item)


def queries(rng: random.Random) -> Iterator[dict[str, Any]]:
    index = INDEXES[0]
    for _ in range(40):
        forward = rng.random() < 0.5
        limit = rng.choice([1, 3, 7, 100])
        if rng.random() < 0.5:
            key, values = "PK = :h", {":h": s(f"P{rng.randrange(7)}")}
            if rng.random() < 0.5:
                key += " AND begins_with(SK, :p)"
                values[":p"] = s(rng.choice("abc"))
            yield {
                "KeyConditionExpression": key,
                "ExpressionAttributeValues": values,
                "ScanIndexForward": forward,
                "Limit": limit,
            }
        else:
            key = f"{index}PK = :h"
            values = {":h": s(f"G{rng.randrange(5)}")}
            if rng.random() < 0.5:
                key += f" AND {index}SK BETWEEN :lo AND :hi"
                values |= {":lo": s("x#010"), ":hi": s("y#030")}
            yield {
                "IndexName": index,
                "KeyConditionExpression": key,
                "ExpressionAttributeValues": values,
                "ScanIndexForward": forward,
                "Limit": limit,
            }


def every_page(client: Any, query: dict[str, Any]) -> list[Any]:
    pages, start = [], None
    while True:
        extra = {"ExclusiveStartKey": start} if start else {}
        answer = client.query(TableName=TABLE, **query, **extra)
        pages.append((answer["Items"], answer.get("LastEvaluatedKey")))
        start = answer.get("LastEvaluatedKey")
        if start is None:
            return pages


def with_moto_own_query(client: Any, query: dict[str, Any]) -> list[Any]:
    """The pages moto's own code answers: its Query, index sort, item sizes and result copies."""
    with pytest.MonkeyPatch.context() as moto_own:
        for cls, name in ((Table, "query"), (Table, "sorted_items"), (Item, "size")):
            moto_own.setattr(cls, name, getattr(cls, name).__wrapped__)
        moto_own.setattr(table_module, "copy", copy)
        return every_page(client, query)


def test_every_page_of_every_query_is_the_same_as_moto_answers(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    shortcuts: list[int] = []

    def counted(*args: Any) -> Any:
        found = candidates(*args)
        shortcuts.append(found is not None)
        return found

    candidates = emulator_queries._candidates
    monkeypatch.setattr(emulator_queries, "_candidates", counted)
    rng = random.Random(7)
    fill(client, rng, 200)
    for query in queries(rng):
        assert every_page(client, query) == with_moto_own_query(client, query), query
    assert shortcuts and all(shortcuts), "every query took the shortcut"


def write_something(client: Any, rng: random.Random, n: int) -> None:
    """One random write: an item moved to another index partition or out of the index, a new
    or replaced item, a deletion, or a transaction that commits or is cancelled."""
    index = INDEXES[0]
    key = {
        "PK": s(f"P{rng.randrange(6)}"),
        "SK": s(f"{rng.choice('abc')}#{rng.randrange(200):04d}"),
    }
    kind = rng.choice(["move", "unindex", "put", "delete", "transaction", "cancelled"])
    if kind == "move":
        client.update_item(
            TableName=TABLE,
            Key=key,
            UpdateExpression="SET #pk = :h, #sk = :r",
            ExpressionAttributeNames={"#pk": f"{index}PK", "#sk": f"{index}SK"},
            ExpressionAttributeValues={":h": s(f"G{rng.randrange(4)}"), ":r": s(f"x#{n:03d}")},
        )
    elif kind == "unindex":
        client.update_item(
            TableName=TABLE,
            Key=key,
            UpdateExpression="REMOVE #pk",
            ExpressionAttributeNames={"#pk": f"{index}PK"},
        )
    elif kind == "put":
        item = {**key, f"{index}PK": s(f"G{rng.randrange(4)}"), f"{index}SK": s(f"y#{n:03d}")}
        client.put_item(TableName=TABLE, Item=item)
    elif kind == "delete":
        client.delete_item(TableName=TABLE, Key=key)
    else:
        item = {**key, f"{index}PK": s("G0"), f"{index}SK": s(f"x#{n:03d}")}
        actions: list[dict[str, Any]] = [{"Put": {"TableName": TABLE, "Item": item}}]
        if kind == "cancelled":
            missing = {"PK": s("NOWHERE"), "SK": s("x")}
            check = {
                "TableName": TABLE,
                "Key": missing,
                "ConditionExpression": "attribute_exists(PK)",
            }
            actions.append({"ConditionCheck": check})
        try:
            client.transact_write_items(TransactItems=actions)
        except client.exceptions.TransactionCanceledException:
            assert kind == "cancelled"


def test_queries_between_writes_answer_what_moto_answers(client: Any) -> None:
    rng = random.Random(11)
    fill(client, rng, 150)
    for n, query in enumerate(queries(rng)):
        every_page(client, query)  # builds the maps the writes must then keep right
        for _ in range(3):
            write_something(client, rng, n)
        assert every_page(client, query) == with_moto_own_query(client, query), query


def test_every_kind_of_write_shows_in_the_next_index_query(client: Any) -> None:
    index = INDEXES[0]
    query = {
        "IndexName": index,
        "KeyConditionExpression": f"{index}PK = :h",
        "ExpressionAttributeValues": {":h": s("NEW")},
    }

    def listed() -> list[str]:
        return [i["SK"]["S"] for i in client.query(TableName=TABLE, **query)["Items"]]

    def item(sk: str) -> dict[str, Any]:
        return {"PK": s("P1"), "SK": s(sk), f"{index}PK": s("NEW"), f"{index}SK": s(sk)}

    assert listed() == []
    client.update_item(
        TableName=TABLE,
        Key={"PK": s("P1"), "SK": s("a")},
        UpdateExpression="SET #pk = :h, #sk = :r",
        ExpressionAttributeNames={"#pk": f"{index}PK", "#sk": f"{index}SK"},
        ExpressionAttributeValues={":h": s("NEW"), ":r": s("a")},
    )
    assert listed() == ["a"]
    client.put_item(TableName=TABLE, Item=item("b"))
    assert listed() == ["a", "b"]
    client.batch_write_item(RequestItems={TABLE: [{"PutRequest": {"Item": item("c")}}]})
    assert listed() == ["a", "b", "c"]
    client.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": TABLE, "Item": item("d")}},
            {"Delete": {"TableName": TABLE, "Key": {"PK": s("P1"), "SK": s("a")}}},
        ]
    )
    assert listed() == ["b", "c", "d"]
    client.delete_item(TableName=TABLE, Key={"PK": s("P1"), "SK": s("b")})
    assert listed() == ["c", "d"]
