"""The two reads every repository makes: one item by key, one page of an index partition."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.dynamo.codec import Item, deserialize, serialize, values
from shared.dynamo.pagination import start_key


@dataclass(frozen=True)
class ItemPage:
    items: list[Item]
    last_key: dict[str, Any] | None


def get_item(client: Any, table: str, key: dict[str, str]) -> Item | None:
    """A strongly consistent read of one item, as a plain dict."""
    found = client.get_item(TableName=table, Key=serialize(key), ConsistentRead=True).get("Item")
    return deserialize(found) if found else None


def query_page(
    client: Any,
    table: str,
    index: str,
    partition: str,
    limit: int,
    start: dict[str, Any] | None,
    newest_first: bool = True,
) -> ItemPage:
    """One page of `index`'s partition; `start` is a cursor checked to belong to it."""
    request: dict[str, Any] = {
        "TableName": table,
        "IndexName": index,
        "KeyConditionExpression": f"{index}PK = :pk",
        "ExpressionAttributeValues": values(pk=partition),
        "ScanIndexForward": not newest_first,
        "Limit": limit,
    }
    start = start_key(start, index, partition)
    if start:
        request["ExclusiveStartKey"] = serialize(start)
    response = client.query(**request)
    last = response.get("LastEvaluatedKey")
    return ItemPage(
        items=[deserialize(i) for i in response.get("Items", [])],
        last_key=deserialize(last) if last else None,
    )
