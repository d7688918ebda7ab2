"""The codec's direct paths give what boto3's TypeSerializer and TypeDeserializer (the reference,
with the codec's own clean-ups) give, for random plain values, both ways."""

from __future__ import annotations

import enum
import random
from decimal import Decimal, Inexact, Rounded
from typing import Any

import pytest
from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer

from shared.dynamo import codec


def reference_serialize(item: dict[str, Any]) -> dict[str, Any]:
    ready = codec._dynamo_ready
    return {k: TypeSerializer().serialize(ready(v)) for k, v in item.items() if v is not None}


def reference_deserialize(item: dict[str, Any]) -> dict[str, Any]:
    return {k: codec._plain(TypeDeserializer().deserialize(v)) for k, v in item.items()}


class Level(enum.IntEnum):
    HIGH = 3


def random_plain(rng: random.Random, depth: int = 0) -> Any:
    leaves: list[Any] = [
        "",
        "text é€",
        0,
        -7,
        rng.randint(-(10**30), 10**30),
        10**37,
        True,
        False,
        1.5,
        -0.25,
        2.0,
        Decimal("3.10"),
        Level.HIGH,
        b"\x00bytes",
        {"a", "b"},
        {1, 2},
        {b"x"},
        None,
    ]
    if depth < 3 and rng.random() < 0.4:
        if rng.random() < 0.5:
            return [random_plain(rng, depth + 1) for _ in range(rng.randint(0, 4))]
        return {f"k{n}": random_plain(rng, depth + 1) for n in range(rng.randint(0, 4))} | {
            "gone": None
        }
    return rng.choice(leaves)


@pytest.mark.parametrize("seed", range(60))
def test_random_items_serialize_and_come_back_as_before(seed: int) -> None:
    rng = random.Random(seed)
    item = {f"a{n}": random_plain(rng) for n in range(6)} | {"none": None}
    stored = codec.serialize(item)
    assert stored == reference_serialize(item)
    assert codec.deserialize(stored) == reference_deserialize(stored)


@pytest.mark.parametrize(
    "number", ["0", "-1", "42", "1.0", "1E+2", "3.25", "-0.5", "12345678901234567890123456789"]
)
def test_numbers_come_back_as_before(number: str) -> None:
    item = {"n": {"N": number}}
    ours, reference = codec.deserialize(item)["n"], reference_deserialize(item)["n"]
    assert (ours, type(ours)) == (reference, type(reference))


def test_other_types_come_back_as_before() -> None:
    item = {"b": {"B": b"x"}, "null": {"NULL": True}, "ss": {"SS": ["a"]}, "ns": {"NS": ["1.5"]}}
    assert codec.deserialize(item) == reference_deserialize(item)
    assert isinstance(codec.deserialize(item)["b"], Binary)


def test_too_long_an_integer_is_still_refused() -> None:
    with pytest.raises((Inexact, Rounded)):
        codec.serialize({"n": 10**40 + 1})
