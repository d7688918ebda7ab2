"""Every subscribed event type exists, every contract round-trips and decodes strictly."""

from __future__ import annotations

import json
import typing
from typing import Any

import pytest
from pydantic import ValidationError

from shared.events.contracts import EVENT_CLASSES, EVENT_TYPES, Contract, decode_event
from shared.events.envelope import Envelope, wrap
from shared.events.subscriptions import SUBSCRIPTIONS

SAMPLE_VALUES: dict[Any, Any] = {str: "x", int: 7, bool: True}
PAYMENT = {
    "order_id": "o1",
    "user_id": "u1",
    "course_id": "c1",
    "amount": 49900,
    "currency": "INR",
    "provider_payment_id": "cf1",
    "paid_at": "2026-01-01T00:00:00Z",
    "course_title": "Rust",
}
PAYMENT_SUCCEEDED = "billing.payment.succeeded.v1"


def sample(cls: type[Contract]) -> Any:
    """A fully populated instance, nested contracts included (None where a field is optional)."""
    return cls(**{name: sample_value(f.annotation) for name, f in cls.model_fields.items()})


def sample_value(hint: Any) -> Any:
    if isinstance(hint, type) and issubclass(hint, Contract):
        return sample(hint)
    if typing.get_origin(hint) is tuple:
        return (sample_value(typing.get_args(hint)[0]),)
    return SAMPLE_VALUES.get(hint)


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


def test_wire_format_is_the_field_names_and_json_values() -> None:
    event = decode_event("catalog.media.released.v1", {"course_id": "c1", "keys": ["a", "b"]})
    assert event.keys == ("a", "b")
    assert wrap(event, producer="test").data == {"course_id": "c1", "keys": ["a", "b"]}


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("amount", "49900", "int_type"),
        ("amount", 499.5, "int_type"),
        ("amount", True, "int_type"),
        ("order_id", 7, "string_type"),
        ("order_id", None, "string_type"),
        ("course_title", None, "string_type"),
    ],
)
def test_a_value_of_another_type_is_refused(field: str, value: Any, error: str) -> None:
    with pytest.raises(ValidationError) as refused:
        decode_event(PAYMENT_SUCCEEDED, {**PAYMENT, field: value})
    assert [e["type"] for e in refused.value.errors()] == [error]


def test_a_refusal_is_a_value_error_so_the_consumer_dead_letters_it() -> None:
    with pytest.raises(ValueError, match="order_id"):
        decode_event(PAYMENT_SUCCEEDED, {**PAYMENT, "order_id": 7})


def test_missing_field_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        decode_event(PAYMENT_SUCCEEDED, {"order_id": "o1"})
    assert {e["type"] for e in refused.value.errors()} == {"missing"}


def test_a_field_with_a_default_may_be_absent() -> None:
    older = {k: v for k, v in PAYMENT.items() if k != "course_title"}
    assert decode_event(PAYMENT_SUCCEEDED, older).course_title == ""


def test_a_field_this_consumer_does_not_know_yet_is_ignored() -> None:
    event = decode_event(PAYMENT_SUCCEEDED, {**PAYMENT, "coupon": "WELCOME"})
    assert event == decode_event(PAYMENT_SUCCEEDED, PAYMENT)


def test_nested_values_are_checked_too() -> None:
    session = sample(EVENT_TYPES["mentorship.session.booked.v1"])
    data = wrap(session, producer="test").data
    data["session"]["starts_at"] = 1767225600
    with pytest.raises(ValidationError, match=r"session\.starts_at"):
        decode_event("mentorship.session.booked.v1", data)


def test_data_that_is_not_json_is_refused_as_a_value_error() -> None:
    with pytest.raises(ValueError, match="not JSON"):
        decode_event(PAYMENT_SUCCEEDED, {**PAYMENT, "amount": object()})


def test_contracts_are_immutable() -> None:
    event = decode_event(PAYMENT_SUCCEEDED, PAYMENT)
    with pytest.raises(ValidationError):
        event.amount = 1


def test_an_event_that_does_not_name_its_aggregate_cannot_be_built() -> None:
    from shared.events.contracts import Event

    class Keyless(Event):
        EVENT_TYPE = "test.keyless.v1"
        order_id: str

    with pytest.raises(TypeError, match="aggregate_id"):
        Keyless(order_id="o1")
