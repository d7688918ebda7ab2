"""The OpenAPI document may gain detail but never loses a path, a parameter, a header or a field
anywhere inside a request or response body: every one recorded in `openapi_fields.json` is
still there. After adding some, refresh the record with PROLEARN_UPDATE_SNAPSHOTS=1."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

RECORD = Path(__file__).with_name("openapi_fields.json")
METHODS = ("get", "put", "post", "delete", "patch")
COMBINERS = ("allOf", "anyOf", "oneOf")


def document_fields(document: dict[str, Any]) -> set[str]:
    """Every operation, parameter, response header and body field, refs resolved, as text."""
    components = document.get("components", {}).get("schemas", {})
    found: set[str] = set()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            key = f"{method.upper()} {path}"
            found.add(key)
            for param in operation.get("parameters", []):
                found.add(f"{key} {param['in']} {param['name']}")
            for media, content in operation.get("requestBody", {}).get("content", {}).items():
                _walk(content.get("schema", {}), f"{key} body {media}", components, found, ())
            for status, answer in operation["responses"].items():
                for header in answer.get("headers", {}):
                    found.add(f"{key} {status} header {header}")
                for media, content in answer.get("content", {}).items():
                    _walk(
                        content.get("schema", {}), f"{key} {status} {media}", components, found, ()
                    )
    return found


def _walk(
    schema: Any, at: str, components: dict[str, Any], found: set[str], chain: tuple[str, ...]
) -> None:
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        if name not in chain:  # a schema that contains itself is walked once per branch
            _walk(components.get(name, {}), at, components, found, (*chain, name))
    for combiner in COMBINERS:
        for option in schema.get(combiner, []):
            _walk(option, at, components, found, chain)
    for name, field in schema.get("properties", {}).items():
        found.add(f"{at} .{name}")
        _walk(field, f"{at} .{name}", components, found, chain)
    _walk(schema.get("items"), f"{at}[]", components, found, chain)
    _walk(schema.get("additionalProperties"), f"{at}{{}}", components, found, chain)


def test_nothing_recorded_is_missing_from_the_document(client: FlaskClient) -> None:
    fields = document_fields(client.get("/openapi.json").get_json())
    if os.environ.get("PROLEARN_UPDATE_SNAPSHOTS") == "1":
        RECORD.write_text(json.dumps(sorted(fields), indent=0) + "\n")
    recorded = set(json.loads(RECORD.read_text()))
    assert not recorded - fields, "the document lost these"
    assert not fields - recorded, "new fields: refresh the record (PROLEARN_UPDATE_SNAPSHOTS=1)"


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"properties": {"a": {"items": {"$ref": "#/components/schemas/T"}}}}, {".a", ".a[] .t"}),
        ({"anyOf": [{"properties": {"x": {}}}, {"$ref": "#/components/schemas/T"}]}, {".x", ".t"}),
        ({"$ref": "#/components/schemas/Loop"}, {".next"}),
    ],
)
def test_the_walk_resolves_refs_combiners_and_loops(
    schema: dict[str, Any], expected: set[str]
) -> None:
    components = {
        "T": {"properties": {"t": {"type": "string"}}},
        "Loop": {"properties": {"next": {"$ref": "#/components/schemas/Loop"}}},
    }
    found: set[str] = set()
    _walk(schema, "", components, found, ())
    assert {f.strip() for f in found} == expected
