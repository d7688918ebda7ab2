"""Every subscribed event type exists, every contract round-trips, snapshots stay compatible."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from shared.events.contracts import EVENT_CLASSES, EVENT_TYPES, decode_event
from shared.events.envelope import Envelope, wrap
from shared.events.subscriptions import SUBSCRIPTIONS

SNAPSHOT = Path(__file__).parent / "event_schemas.json"
SAMPLE_VALUES: dict[type, Any] = {str: "x", int: 7, bool: True}


def sample(cls: type) -> Any:
    """A fully populated instance, nested dataclasses included."""
    import typing

    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        hint = hints[field.name]
        origin = typing.get_origin(hint)
        if dataclasses.is_dataclass(hint):
            values[field.name] = sample(hint)  # type: ignore[arg-type]
        elif origin is tuple:
            inner = typing.get_args(hint)[0]
            values[field.name] = (SAMPLE_VALUES.get(inner) or sample(inner),)
        elif hint in SAMPLE_VALUES:
            values[field.name] = SAMPLE_VALUES[hint]
        else:
            values[field.name] = None
    return cls(**values)


def schema(cls: type) -> dict[str, str]:
    return {f.name: str(f.type) for f in dataclasses.fields(cls)}


def test_every_subscribed_type_has_a_contract() -> None:
    assert set(SUBSCRIPTIONS) <= set(EVENT_TYPES)
    assert set(EVENT_TYPES) <= set(SUBSCRIPTIONS), "an event nobody routes is a dead contract"


@pytest.mark.parametrize("cls", EVENT_CLASSES, ids=lambda c: c.EVENT_TYPE)
def test_payload_round_trips_through_json(cls: type) -> None:
    event = sample(cls)
    envelope = wrap(event, producer="test")
    wire = json.loads(json.dumps(envelope.to_dict()))
    back = Envelope.from_dict(wire)
    assert back.payload() == event
    assert back.event_type == cls.EVENT_TYPE
    assert back.aggregate_id == event.aggregate_id


def test_event_types_are_versioned_and_named_by_producer() -> None:
    for event_type in EVENT_TYPES:
        producer, _subject, _action, version = event_type.split(".")
        assert producer in {"catalog", "billing", "enrollment", "mentorship"}
        assert version.startswith("v") and version[1:].isdigit()


def test_missing_field_is_refused() -> None:
    with pytest.raises(ValueError, match="lacks"):
        decode_event("billing.payment.succeeded.v1", {"order_id": "o1"})


def test_committed_schemas_only_grow() -> None:
    """A field removed or retyped breaks consumers: bump the version instead."""
    committed = json.loads(SNAPSHOT.read_text())
    for event_type, fields in committed.items():
        current = schema(EVENT_TYPES[event_type])
        for name, type_name in fields.items():
            assert current.get(name) == type_name, f"{event_type}.{name} changed"
