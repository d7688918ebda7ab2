"""Money in Cashfree's wire format: webhook bodies carry amounts with exactly two decimals."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

Amount = int | float


def to_decimal(amount: Amount) -> Decimal:
    """An amount as sent in JSON, as an exact Decimal."""
    return Decimal(str(amount))


@dataclass(frozen=True)
class Money:
    """An amount that must be serialised with two decimals, e.g. `499.00`."""

    amount: Amount

    def formatted(self) -> str:
        """The JSON number text, with two decimals."""
        return str(to_decimal(self.amount).quantize(Decimal("0.01")))


def dumps_with_money(payload: dict[str, Any]) -> bytes:
    """Compact JSON in which every Money value is written as a two-decimal number."""
    marker = f"money-{uuid.uuid4().hex}-"
    amounts: list[str] = []

    def encode_money(value: object) -> str:
        if not isinstance(value, Money):
            raise TypeError(f"cannot serialise {type(value).__name__}")
        amounts.append(value.formatted())
        return f"{marker}{len(amounts) - 1}"

    text = json.dumps(payload, separators=(",", ":"), default=encode_money)
    for index, amount in enumerate(amounts):
        text = text.replace(f'"{marker}{index}"', amount)
    return text.encode()
