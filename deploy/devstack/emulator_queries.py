"""moto's Query made to read only the partition it names, as DynamoDB does.

moto 5.1.22 answers every Query, on the table or on an index, by sorting every item of the table
(`Table.all_items()`) and then filtering them, so a Query costs in proportion to the whole table
(n log n comparisons of moto's Python item types): as tables grew during a benchmark, a listing
page went from 12 ms of emulator CPU to several times that, and every relay's poll with it.
DynamoDB reads only the partition (or index partition) the key condition names.

Here a Query is shown only its candidates: the table's own partition for the hash key, or, for an
index, the items whose index hash attributes equal the condition's, from a map built once per
index and thrown away on the next item write to its table (every item write goes through the
backend's put_item, update_item or delete_item, transactions and batches included) or on any
other call that is not a read (table changes, PartiQL). moto's own code then sorts, filters,
pages and projects those candidates exactly as before, so answers do not change, only their cost.
Calls are already serialized (see `emulator.dynamodb_serialized`), so the maps need no lock.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table

READ_TARGETS = frozenset(
    {
        "GetItem",
        "BatchGetItem",
        "Query",
        "Scan",
        "TransactGetItems",
        "DescribeTable",
        "DescribeTimeToLive",
        "DescribeContinuousBackups",
        "ListTables",
        "ListTagsOfResource",
    }
)
"""DynamoDB operations that change nothing."""
ITEM_WRITE_TARGETS = frozenset(
    {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
)
"""Operations whose writes reach the backend's item methods, which drop their table's maps."""

IndexKey = tuple[DynamoType, ...]
_maps: dict[tuple[str, str, tuple[str, ...]], dict[IndexKey, list[Item]]] = {}


def note_call(target: str) -> None:
    """Called with each DynamoDB call's operation name before and after it runs: any operation
    that is neither a read nor an item write (unknown ones too) drops every map."""
    if target not in READ_TARGETS and target not in ITEM_WRITE_TARGETS:
        _maps.clear()


def _forget(table_name: str) -> None:
    for key in [k for k in _maps if k[0] == table_name]:
        del _maps[key]


def _table_order(items: list[Item]) -> list[Item]:
    """The order `Table.all_items()` returns, which moto's stable sorts fall back on."""
    return sorted(items, key=lambda x: (x.hash_key, x.range_key) if x.range_key else x.hash_key)


def _partition(table: Table, hash_key: DynamoType) -> list[Item]:
    bucket = table.items.get(hash_key)
    if bucket is None:
        return []
    items = list(bucket.values()) if table.range_key_attr else [bucket]
    return _table_order([i for i in items if isinstance(i, Item)])


def _index_partition(
    table: Table, index_name: str, attrs: Sequence[str], key: IndexKey
) -> list[Item]:
    map_key = (table.name, index_name, tuple(attrs))
    by_key = _maps.get(map_key)
    if by_key is None:
        grouped: defaultdict[IndexKey, list[Item]] = defaultdict(list)
        for item in table.all_items():
            if isinstance(item, Item):
                values = tuple(item.attrs.get(name) for name in attrs)
                if all(v is not None for v in values):
                    grouped[values].append(item)  # type: ignore[index]
        by_key = _maps[map_key] = dict(grouped)
    return by_key.get(key, [])


def _candidates(
    table: Table, hash_key: DynamoType | None, kwargs: dict[str, Any]
) -> list[Item] | None:
    """The items that could match, or None when this Query is not one this shortcut knows."""
    index_name = kwargs.get("index_name")
    if not index_name:
        return _partition(table, hash_key) if hash_key is not None else None
    conditions: list[tuple[str, DynamoType]] = kwargs.get("hash_key_conditions") or []
    if not conditions:
        return None
    attrs = [name for name, _ in conditions]
    return _index_partition(table, index_name, attrs, tuple(value for _, value in conditions))


_NAMES = (
    "hash_key",
    "range_comparison",
    "range_objs",
    "limit",
    "exclusive_start_key",
    "scan_index_forward",
    "projection_expressions",
    "index_name",
    "consistent_read",
    "filter_expression",
)


def _partitioned(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def query(self: Table, *args: Any, **kwargs: Any) -> Any:
        named = dict(zip(_NAMES, args, strict=False)) | kwargs
        candidates = _candidates(self, named.get("hash_key"), named)
        if candidates is None:
            return original(self, *args, **kwargs)
        self.all_items = lambda: candidates  # type: ignore[method-assign]
        try:
            return original(self, *args, **kwargs)
        finally:
            del self.all_items

    return query


def _dropping_maps(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def write(self: DynamoDBBackend, table_name: str, *args: Any, **kwargs: Any) -> Any:
        _forget(table_name)
        try:
            return original(self, table_name, *args, **kwargs)
        finally:
            _forget(table_name)

    return write


def install_partitioned_queries() -> None:
    """Once per process; `Table.query.__wrapped__` is moto's own."""
    if hasattr(Table.query, "__wrapped__"):
        return
    Table.query = _partitioned(Table.query)  # type: ignore[method-assign]
    for name in ("put_item", "update_item", "delete_item"):
        setattr(DynamoDBBackend, name, _dropping_maps(getattr(DynamoDBBackend, name)))
