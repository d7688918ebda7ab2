"""moto's Query made to read only the partition it names, as DynamoDB does.

moto 5.1.22 answers every Query, on the table or on an index, by sorting every item of the table
(`Table.all_items()`) and then filtering them, so a Query costs in proportion to the whole table
(n log n comparisons of moto's Python item types): as tables grew during a benchmark, a listing
page went from 12 ms of emulator CPU to several times that, and every relay's poll with it.
DynamoDB reads only the partition (or index partition) the key condition names.

Here a Query is shown only its candidates: the table's own partition for the hash key, or, for an
index, the items whose index hash attributes equal the condition's, from a map built in one pass
when the index is first queried and kept up to date by every item write after that (each goes
through the backend's put_item, update_item or delete_item, batches and transactions included:
the item at the written key leaves its old group and joins its new one). Any call that is
neither a read nor an item write (table changes, PartiQL), and a cancelled transaction (whose
items `emulator` puts back by hand), drop the maps instead. moto's own code then sorts, filters,
pages and projects those candidates exactly as before, so answers do not change, only their cost.
Calls are already serialized (see `emulator.dynamodb_serialized`), so the maps need no lock.
"""

from __future__ import annotations

import functools
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
"""Operations whose writes reach the backend's item methods, which keep the maps up to date."""

IndexKey = tuple[DynamoType, ...]
IndexSpec = tuple[str, tuple[str, ...]]
"""An index name and the attributes of its hash key the Query names."""
_maps: dict[str, dict[IndexSpec, dict[IndexKey, _Group]]] = {}
"""By table name."""


def note_call(target: str) -> None:
    """Called with each DynamoDB call's operation name before and after it runs: any operation
    that is neither a read nor an item write (unknown ones too) drops every map."""
    if target not in READ_TARGETS and target not in ITEM_WRITE_TARGETS:
        _maps.clear()


def forget(table_name: str) -> None:
    """Drop the table's maps (the next index Query builds them again)."""
    _maps.pop(table_name, None)


def _table_order(items: list[Item]) -> list[Item]:
    """The order `Table.all_items()` returns, which moto's stable sorts fall back on."""
    return sorted(items, key=lambda x: (x.hash_key, x.range_key) if x.range_key else x.hash_key)


def _partition(table: Table, hash_key: DynamoType) -> list[Item]:
    bucket = table.items.get(hash_key)
    if bucket is None:
        return []
    items = list(bucket.values()) if table.range_key_attr else [bucket]
    return _table_order([i for i in items if isinstance(i, Item)])


def _index_values(item: Item, attrs: Sequence[str]) -> IndexKey | None:
    values = tuple(item.attrs.get(name) for name in attrs)
    return values if all(v is not None for v in values) else None  # type: ignore[return-value]


def _index_partition(
    table: Table, index_name: str, attrs: Sequence[str], key: IndexKey
) -> list[Item]:
    """One pass over the table groups every item by its index hash values (no sort of the
    whole table: that was moto's cost); a group is put in table order when asked for."""
    maps = _maps.setdefault(table.name, {})
    spec = (index_name, tuple(attrs))
    groups = maps.get(spec)
    if groups is None:
        groups = maps[spec] = {}
        for partition in table.items.values():
            for item in partition.values() if table.range_key_attr else (partition,):
                if not isinstance(item, Item):
                    continue
                values = _index_values(item, attrs)
                if values is not None:
                    groups.setdefault(values, _Group()).add(item)
    group = groups.get(key)
    return group.ordered() if group is not None else []


class _Group:
    """The items of one index partition, sorted into table order when next asked for."""

    __slots__ = ("is_sorted", "items")

    def __init__(self) -> None:
        self.items: list[Item] = []
        self.is_sorted = True

    def add(self, item: Item) -> None:
        self.items.append(item)
        self.is_sorted = False

    def discard(self, item: Item) -> None:
        for position, held in enumerate(self.items):
            if held is item:
                del self.items[position]
                return

    def ordered(self) -> list[Item]:
        if not self.is_sorted:
            self.items = _table_order(self.items)
            self.is_sorted = True
        return self.items


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


_sizes: dict[int, int] | None = None
"""While a Query runs (nothing changes items then), each item's size by id, once computed."""


def _partitioned(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def query(self: Table, *args: Any, **kwargs: Any) -> Any:
        global _sizes
        named = dict(zip(_NAMES, args, strict=False)) | kwargs
        candidates = _candidates(self, named.get("hash_key"), named)
        _sizes = {}
        if candidates is not None:
            self.all_items = lambda: candidates  # type: ignore[method-assign]
        try:
            return original(self, *args, **kwargs)
        finally:
            _sizes = None
            if candidates is not None:
                del self.all_items

    return query


def _sized_once(original: Callable[[Item], int]) -> Callable[[Item], int]:
    """moto measures each result twice against the page's 1 MB, walking every attribute."""

    @functools.wraps(original)
    def size(self: Item) -> int:
        if _sizes is None:
            return original(self)
        found = _sizes.get(id(self))
        if found is None:
            found = _sizes[id(self)] = original(self)
        return found

    return size


def _sorted_items(
    self: Table, hash_key_attrs: list[str], range_key_attrs: list[str | None], items: list[Item]
) -> list[Item]:
    """moto's index sort with each item's key values worked out once: moto compared DynamoType
    tuples, which work out both values' Decimal or string again at every comparison. Key
    attributes have one type each, so the order is the same."""
    attrs = self._generate_attr_to_sort_by(hash_key_attrs, range_key_attrs)
    items.sort(key=lambda item: tuple(item.attrs[name].cast_value for name in attrs))
    return items


def _item_at(table: Table, keyed: dict[str, Any]) -> Item | None:
    """The item stored under the key that `keyed` (a key, or a whole item) names."""
    hash_value = keyed.get(table.hash_key_attr)
    if hash_value is None:
        return None
    partition = table.items.get(DynamoType(hash_value))
    if partition is None or not table.range_key_attr:
        return partition  # type: ignore[return-value]
    range_value = keyed.get(table.range_key_attr)
    return None if range_value is None else partition.get(DynamoType(range_value))


def _reindexing(original: Callable[..., Any]) -> Callable[..., Any]:
    """An item write that moves the item at its key to the groups it now belongs to."""

    @functools.wraps(original)
    def write(self: DynamoDBBackend, table_name: str, keyed: Any, *args: Any, **kwargs: Any) -> Any:
        maps = _maps.get(table_name)
        if not maps or not isinstance(keyed, dict):
            forget(table_name)
            return original(self, table_name, keyed, *args, **kwargs)
        table = self.get_table(table_name)
        before = _item_at(table, keyed)
        was = {spec: _index_values(before, spec[1]) for spec in maps} if before else {}
        try:
            return original(self, table_name, keyed, *args, **kwargs)
        finally:
            after = _item_at(table, keyed)
            for spec, groups in maps.items():
                old_values = was.get(spec)
                if before is not None and old_values is not None and old_values in groups:
                    groups[old_values].discard(before)
                new_values = _index_values(after, spec[1]) if after is not None else None
                if after is not None and new_values is not None:
                    groups.setdefault(new_values, _Group()).add(after)

    return write


def install_partitioned_queries() -> None:
    """Once per process; the `__wrapped__` of `Table.query`, `Table.sorted_items` and `Item.size`
    are moto's own."""
    if hasattr(Table.query, "__wrapped__"):
        return
    Table.query = _partitioned(Table.query)  # type: ignore[method-assign]
    moto_sort = Table.sorted_items
    Table.sorted_items = functools.update_wrapper(_sorted_items, moto_sort)  # type: ignore[method-assign]
    Item.size = _sized_once(Item.size)  # type: ignore[method-assign,assignment]
    for name in ("put_item", "update_item", "delete_item"):
        setattr(DynamoDBBackend, name, _reindexing(getattr(DynamoDBBackend, name)))
