"""DynamoDB responses parsed without walking botocore's model once per attribute value."""

from __future__ import annotations

import base64
from collections.abc import Callable
from functools import cache
from typing import Any

from botocore import parsers
from botocore.model import Shape

ATTRIBUTE_VALUE = "AttributeValue"
Blob = Callable[[str], bytes]


def _value(node: dict[str, Any], blob: Blob) -> dict[str, Any]:
    """An AttributeValue as botocore gives it: the wire's JSON with blobs decoded."""
    ((kind, data),) = node.items()
    if kind == "M":
        return {"M": {name: _value(v, blob) for name, v in data.items()}}
    if kind == "L":
        return {"L": [_value(v, blob) for v in data]}
    if kind == "B":
        return {"B": blob(data)}
    if kind == "BS":
        return {"BS": [blob(v) for v in data]}
    return node  # S, N, SS, NS, BOOL, NULL: the JSON already is what botocore returns


def _item(node: dict[str, Any], blob: Blob) -> dict[str, Any]:
    return {name: _value(v, blob) for name, v in node.items()}


@cache
def _holds(shape: Shape) -> str | None:
    """`value`, `item` (a map of values) or `items` (a list of those) for the shapes that carry
    attribute values; None for every other shape."""
    if shape.name == ATTRIBUTE_VALUE:
        return "value"
    if shape.type_name == "map" and shape.value.name == ATTRIBUTE_VALUE:  # type: ignore[attr-defined]
        return "item"
    if shape.type_name == "list" and _holds(shape.member) == "item":  # type: ignore[attr-defined]
        return "items"
    return None


class DynamoDBJSONParser(parsers.JSONParser):
    """botocore's JSON parser, except that items and attribute values (most of a response) are
    taken from the JSON as they are: for a 20-item page, 1.1 -> 0.24 ms. Same result, checked
    against botocore's own parser in shared/tests/test_dynamo_parsing.py."""

    def __init__(
        self, timestamp_parser: Callable[[str], Any] | None = None, blob_parser: Blob | None = None
    ) -> None:
        super().__init__(timestamp_parser, blob_parser)
        self._blob: Blob = blob_parser or base64.b64decode

    def _parse_shape(self, shape: Shape, node: Any) -> Any:
        holds = _holds(shape) if node is not None else None
        if holds == "value":
            return _value(node, self._blob)
        if holds == "item":
            return _item(node, self._blob)
        if holds == "items":
            return [_item(entry, self._blob) for entry in node]
        return super()._parse_shape(shape, node)  # type: ignore[misc]  # not in botocore-stubs


class DynamoDBParserFactory(parsers.ResponseParserFactory):
    """The botocore session component that hands DynamoDB's `json` protocol to the parser above."""

    def create_parser(self, protocol_name: str) -> parsers.ResponseParser:
        if protocol_name == "json":
            return DynamoDBJSONParser(**self._defaults)  # type: ignore[attr-defined]  # not in stubs
        return super().create_parser(protocol_name)
