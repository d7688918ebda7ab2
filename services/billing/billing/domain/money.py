"""Money is integer minor units; Cashfree's decimal rupees are converted only at the edge."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MINOR_UNITS = {"INR": 100}


class BadAmount(ValueError):
    """An amount that is not a valid decimal with at most two places."""


def to_minor(amount: object, currency: str) -> int:
    """Cashfree's `499.00` (as parsed with Decimal) → 49900 paise; refuses fractions of paise."""
    try:
        value = Decimal(str(amount))
    except InvalidOperation as exc:
        raise BadAmount(str(amount)) from exc
    scaled = value * MINOR_UNITS.get(currency, 100)
    if scaled != scaled.to_integral_value():
        raise BadAmount(str(amount))
    return int(scaled)


def to_major(minor: int, currency: str) -> Decimal:
    """49900 paise → Decimal('499.00') for Cashfree's order_amount."""
    unit = MINOR_UNITS.get(currency, 100)
    return (Decimal(minor) / unit).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
