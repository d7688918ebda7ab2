"""Request validation mirroring the cashfree-pg 6.0.1 pydantic models (orders and refunds)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from standins.cashfree_errors import CashfreeError, invalid_field
from standins.clock import IST
from standins.money import Amount, to_decimal

_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]+")
_PHONE_PATTERN = re.compile(r"\d{10}|\+\d{10,15}")
MAX_TAGS = 10
REFUND_SPEEDS = ("STANDARD", "INSTANT")


@dataclass(frozen=True)
class OrderRequest:
    """A validated `POST /orders` body."""

    order_id: str | None
    amount: Amount
    currency: str
    customer: dict[str, str | None]
    meta: dict[str, str | None]
    tags: dict[str, str] | None
    note: str | None
    expiry_time: datetime | None


@dataclass(frozen=True)
class RefundRequest:
    """A validated `POST /orders/{id}/refunds` body."""

    refund_id: str
    amount: Amount
    note: str | None
    speed: str


def parse_order_request(body: Any) -> OrderRequest:
    """Validate a create-order body; raise a 400 CashfreeError naming the first bad field."""
    body = _require_object(body, "request body")
    customer = _require_object(body.get("customer_details"), "customer_details")
    meta = _optional_object(body.get("order_meta"), "order_meta")
    return OrderRequest(
        order_id=_optional_id(body, "order_id", 3, 45),
        amount=_amount(body, "order_amount", minimum=Decimal(1)),
        currency=_currency(body),
        customer={
            "customer_id": _required_id(customer, "customer_details.customer_id", 3, 50),
            "customer_name": _optional_str(customer, "customer_details.customer_name", 3, 100),
            "customer_email": _optional_str(customer, "customer_details.customer_email", 3, 100),
            "customer_phone": _phone(customer),
        },
        meta={
            "return_url": _optional_str(meta, "order_meta.return_url", 1, 250),
            "notify_url": _optional_str(meta, "order_meta.notify_url", 1, 250),
            "payment_methods": _optional_str(meta, "order_meta.payment_methods", 1, 250),
        },
        tags=_tags(body.get("order_tags")),
        note=_optional_str(body, "order_note", 3, 200),
        expiry_time=_expiry_time(body.get("order_expiry_time")),
    )


def parse_refund_request(body: Any) -> RefundRequest:
    """Validate a create-refund body (refund_id is required, as in API version 2023-08-01)."""
    body = _require_object(body, "request body")
    speed = _optional_str(body, "refund_speed", 1, 20) or "STANDARD"
    if speed not in REFUND_SPEEDS:
        raise invalid_field("refund_speed", "should be one of STANDARD, INSTANT")
    return RefundRequest(
        refund_id=_required_id(body, "refund_id", 3, 40),
        amount=_amount(body, "refund_amount", minimum=Decimal("0.01")),
        note=_optional_str(body, "refund_note", 3, 100),
        speed=speed,
    )


def _currency(body: dict[str, Any]) -> str:
    value = body.get("order_currency")
    if value is None:
        raise invalid_field("order_currency", "is missing in the request")
    if not isinstance(value, str):
        raise invalid_field("order_currency", "should be a string")
    return value or "INR"


def _leaf(field: str) -> str:
    return field.rsplit(".", 1)[-1]


def _require_object(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        if field == "request body":
            raise CashfreeError(400, "request body should be a JSON object", "request_invalid")
        raise invalid_field(field, "is missing in the request" if value is None else "invalid")
    return value


def _optional_object(value: Any, field: str) -> dict[str, Any]:
    return {} if value is None else _require_object(value, field)


def _optional_str(container: dict[str, Any], field: str, min_len: int, max_len: int) -> str | None:
    value = container.get(_leaf(field))
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid_field(field, "should be a string")
    if not min_len <= len(value) <= max_len:
        raise invalid_field(field, f"should be {min_len} to {max_len} characters long")
    return value


def _optional_id(container: dict[str, Any], field: str, min_len: int, max_len: int) -> str | None:
    value = _optional_str(container, field, min_len, max_len)
    if value is not None and not _ID_PATTERN.fullmatch(value):
        raise invalid_field(field, "should contain only alphanumeric, '_' and '-' characters")
    return value


def _required_id(container: dict[str, Any], field: str, min_len: int, max_len: int) -> str:
    value = _optional_id(container, field, min_len, max_len)
    if value is None:
        raise invalid_field(field, "is missing in the request")
    return value


def _phone(customer: dict[str, Any]) -> str:
    field = "customer_details.customer_phone"
    value = customer.get("customer_phone")
    if value is None:
        raise invalid_field(field, "is missing in the request")
    if not isinstance(value, str) or not _PHONE_PATTERN.fullmatch(value):
        raise invalid_field(field, "should be 10 digits, or '+' and the international number")
    return value


def _amount(container: dict[str, Any], field: str, minimum: Decimal) -> Amount:
    value = container.get(field)
    if value is None:
        raise invalid_field(field, "is missing in the request")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid_field(field, "should be a number")
    exact = to_decimal(value)
    if not exact.is_finite() or exact < minimum:
        raise invalid_field(field, f"should be greater than or equal to {minimum}")
    if exact != exact.quantize(Decimal("0.01")):
        raise invalid_field(field, "should have at most two decimal places")
    return value


def _tags(value: Any) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or len(value) > MAX_TAGS:
        raise invalid_field("order_tags", f"should be an object of at most {MAX_TAGS} tags")
    for tag, tag_value in value.items():
        if not isinstance(tag_value, str) or not 1 <= len(tag_value) <= 255:
            raise invalid_field(f"order_tags.{tag}", "should be a string of 1 to 255 characters")
    return dict(value)


def _expiry_time(value: Any) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None:
        raise invalid_field("order_expiry_time", "should be an ISO-8601 date-time")
    return moment if moment.tzinfo else moment.replace(tzinfo=IST)
