"""The committed JSON schema of every event contract, and the changes to it that break readers.

Check: `.venv/bin/python -m shared.events.snapshot`. After a compatible change (a new field with
a default, a new event type, an edited docstring) refresh the snapshot with
`.venv/bin/python -m shared.events.snapshot --write`; it refuses to record a breaking change
unless `--allow-breaking` is given too.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from shared.events.contracts import EVENT_CLASSES, Event

SNAPSHOT = Path(__file__).resolve().parents[1] / "tests" / "snapshots" / "event_contracts.json"
REFRESH = ".venv/bin/python -m shared.events.snapshot --write"

Schema = dict[str, Any]

ANNOTATIONS = frozenset({"title", "description", "default", "examples"})
"""Schema keywords that document a value without constraining it: no reader depends on them."""


def current_schemas(classes: Sequence[type[Event]] = EVENT_CLASSES) -> dict[str, Schema]:
    """Each event type's full JSON schema, its nested contracts under `$defs`."""
    return {cls.EVENT_TYPE: cls.model_json_schema() for cls in classes}


def committed_schemas(path: Path = SNAPSHOT) -> dict[str, Schema]:
    """The snapshot as committed; empty when there is none yet."""
    return json.loads(path.read_text()) if path.exists() else {}


def write_snapshot(schemas: Mapping[str, Schema], path: Path = SNAPSHOT) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(schemas, indent=2, sort_keys=True) + "\n")


def breaking_changes(committed: Mapping[str, Schema], current: Mapping[str, Schema]) -> list[str]:
    """What breaks a reader or the events already written, per committed event type: the type
    gone, or a change `schema_breaks` finds. A new event type breaks nothing."""
    changes: list[str] = []
    for event_type, old in committed.items():
        new = current.get(event_type)
        if new is None:
            changes.append(f"{event_type}: the event type is gone")
        else:
            changes += [f"{event_type}: {change}" for change in schema_breaks(old, new)]
    return changes


def schema_breaks(old: Schema, new: Schema) -> list[str]:
    """The breaking differences between two versions of one model's JSON schema, nested models
    included: a field removed (or renamed), retyped or no longer defaulted, or a new field
    without a default. A new field with a default breaks nothing."""
    return _breaks(_shape(old, old.get("$defs", {})), _shape(new, new.get("$defs", {})), "")


def _shape(node: Any, defs: Mapping[str, Schema]) -> Any:
    """`node` with every `$ref` inlined and the annotations dropped; an object always lists
    its required fields."""
    if isinstance(node, list):
        return [_shape(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _shape(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
    shaped: dict[str, Any] = {}
    for keyword, value in node.items():
        if keyword == "properties":
            shaped[keyword] = {name: _shape(field, defs) for name, field in value.items()}
            shaped.setdefault("required", [])
        elif keyword not in ANNOTATIONS and keyword != "$defs":
            shaped[keyword] = _shape(value, defs)
    return shaped


def _breaks(old: Any, new: Any, path: str) -> list[str]:
    """The breaking differences between the shapes of the value at `path`."""
    if not (isinstance(old, dict) and isinstance(new, dict)) or old.keys() != new.keys():
        return [] if old == new else [_retyped(old, new, path)]
    if "properties" in old and _same_besides(old, new, "properties", "required"):
        return _field_breaks(old, new, path)
    if "items" in old and _same_besides(old, new, "items"):
        return _breaks(old["items"], new["items"], f"{path}[]")
    if (
        "anyOf" in old
        and len(old["anyOf"]) == len(new["anyOf"])
        and _same_besides(old, new, "anyOf")
    ):
        return [
            change
            for o, n in zip(old["anyOf"], new["anyOf"], strict=True)
            for change in _breaks(o, n, path)
        ]
    return [] if old == new else [_retyped(old, new, path)]


def _same_besides(old: Schema, new: Schema, *keywords: str) -> bool:
    return {k: v for k, v in old.items() if k not in keywords} == {
        k: v for k, v in new.items() if k not in keywords
    }


def _field_breaks(old: Schema, new: Schema, path: str) -> list[str]:
    changes: list[str] = []
    old_required, new_required = set(old["required"]), set(new["required"])
    for name, old_field in old["properties"].items():
        new_field = new["properties"].get(name)
        if new_field is None:
            changes.append(f"{_field(path, name)} was removed or renamed")
            continue
        if name in new_required and name not in old_required:
            changes.append(f"{_field(path, name)} lost its default")
        changes += _breaks(old_field, new_field, _field(path, name))
    for name in sorted(new_required - old["properties"].keys()):
        changes.append(f"{_field(path, name)} is new without a default")
    return changes


def _field(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _retyped(old: Any, new: Any, path: str) -> str:
    return f"{path or 'the model'} was retyped: {_brief(old)} -> {_brief(new)}"


def _brief(shape: Any, limit: int = 80) -> str:
    text = json.dumps(shape, sort_keys=True, separators=(",", ":"))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--write", action="store_true", help="refresh the snapshot")
    parser.add_argument(
        "--allow-breaking", action="store_true", help="with --write: record breaking changes too"
    )
    args = parser.parse_args(argv)
    committed, current = committed_schemas(), current_schemas()
    breaking = breaking_changes(committed, current)
    for change in breaking:
        print(f"breaking: {change}", file=sys.stderr)
    if args.write and (args.allow_breaking or not breaking):
        write_snapshot(current)
        print(f"wrote {SNAPSHOT}")
        return 0
    if breaking:
        print("bump the event's version instead of changing it in place", file=sys.stderr)
        return 1
    if committed != current:
        print(f"the contracts changed compatibly: refresh the snapshot with `{REFRESH}`")
        return 1
    print("the snapshot matches the contracts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
