"""Plain Python dicts to DynamoDB attribute maps and back (integers stay integers)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

Item = dict[str, Any]
_INT_LIMIT = 10**38
"""DynamoDB numbers hold 38 significant digits; a longer integer is TypeSerializer's to refuse."""


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, set):
        return {_plain(v) for v in value}
    return value


def _dynamo_ready(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _dynamo_ready(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_dynamo_ready(v) for v in value]
    return value


def serialize(item: Item) -> dict[str, Any]:
    """Attribute map for a plain dict; None-valued attributes are left out."""
    return {k: _attribute(v) for k, v in item.items() if v is not None}


def serialize_value(value: Any) -> dict[str, Any]:
    return _attribute(value)


def deserialize(item: dict[str, Any]) -> Item:
    return {k: _python(v) for k, v in item.items()}


def _attribute(value: Any) -> dict[str, Any]:
    """boto3's TypeSerializer, after `_dynamo_ready`, with the common types done directly (it
    dispatches through a chain of type checks per value); the rest goes to it."""
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, bool):
        return {"BOOL": value}
    if type(value) is int and -_INT_LIMIT < value < _INT_LIMIT:  # not bool, not an IntEnum
        return {"N": str(value)}
    if isinstance(value, dict):
        return {"M": {k: _attribute(v) for k, v in value.items() if v is not None}}
    if isinstance(value, list | tuple):
        return {"L": [_attribute(v) for v in value]}
    return dict(_serializer.serialize(_dynamo_ready(value)))


def _python(value: dict[str, Any]) -> Any:
    """TypeDeserializer then `_plain`, with the common types done directly."""
    ((kind, data),) = value.items()
    if kind == "S":
        return data
    if kind == "N":
        return _number(data)
    if kind == "M":
        return {k: _python(v) for k, v in data.items()}
    if kind == "L":
        return [_python(v) for v in data]
    if kind == "BOOL":
        return data
    return _plain(_deserializer.deserialize(value))  # type: ignore[arg-type]


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        return _plain(_deserializer.deserialize({"N": text}))  # type: ignore[no-any-return]


def values(**named: Any) -> dict[str, Any]:
    """ExpressionAttributeValues from keyword arguments: values(v=1) -> {':v': {'N': '1'}}."""
    return {f":{k}": serialize_value(v) for k, v in named.items()}
