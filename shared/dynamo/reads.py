"""The reads every repository makes: items by key, one page of a partition."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.dynamo.codec import Item, deserialize, serialize, values
from shared.dynamo.pagination import start_key

BATCH_GET_LIMIT = 100


@dataclass(frozen=True)
class ItemPage:
    items: list[Item]
    last_key: dict[str, Any] | None


def get_item(client: Any, table: str, key: dict[str, str]) -> Item | None:
    """A strongly consistent read of one item, as a plain dict."""
    found = client.get_item(TableName=table, Key=serialize(key), ConsistentRead=True).get("Item")
    return deserialize(found) if found else None


def get_items(client: Any, table: str, keys: list[dict[str, str]]) -> list[Item]:
    """The items found under `keys` (any order), in BatchGetItem calls of 100."""
    found: list[Item] = []
    for start in range(0, len(keys), BATCH_GET_LIMIT):
        batch = [serialize(k) for k in keys[start : start + BATCH_GET_LIMIT]]
        request: dict[str, Any] = {table: {"Keys": batch, "ConsistentRead": True}}
        while request:
            response = client.batch_get_item(RequestItems=request)
            found.extend(deserialize(i) for i in response.get("Responses", {}).get(table, []))
            request = response.get("UnprocessedKeys") or {}
    return found


def query_all(client: Any, request: dict[str, Any]) -> list[Item]:
    """Every item a bounded Query names (one partition or key range), paged to the end."""
    request = dict(request)
    found: list[Item] = []
    while True:
        response = client.query(**request)
        found.extend(deserialize(i) for i in response.get("Items", []))
        if "LastEvaluatedKey" not in response:
            return found
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def query_page(
    client: Any,
    table: str,
    index: str | None,
    partition: str,
    limit: int,
    start: dict[str, Any] | None,
    newest_first: bool = True,
) -> ItemPage:
    """One page of a partition of `index` (None: the table itself); `start` is a cursor checked
    to belong to it."""
    request: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": f"{index or ''}PK = :pk",
        "ExpressionAttributeValues": values(pk=partition),
        "ScanIndexForward": not newest_first,
        "Limit": limit,
    }
    if index:
        request["IndexName"] = index
    start = start_key(start, index, partition)
    if start:
        request["ExclusiveStartKey"] = serialize(start)
    response = client.query(**request)
    last = response.get("LastEvaluatedKey")
    return ItemPage(
        items=[deserialize(i) for i in response.get("Items", [])],
        last_key=deserialize(last) if last else None,
    )
