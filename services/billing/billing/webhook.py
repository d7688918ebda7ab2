"""Cashfree payment webhooks: verified over the raw body, applied once, never lost."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from billing import reconciler, refunds
from billing.adapters.signature import signature_valid
from billing.domain.model import PENDING, Attempt
from billing.domain.money import BadAmount, to_minor
from billing.errors import BadSignature, MalformedWebhook
from billing.ledger import Ledger
from billing.payments import UnknownOrder, apply_attempt
from shared.web.json_provider import bounded_loads

PAYMENT_WEBHOOKS = (
    "PAYMENT_SUCCESS_WEBHOOK",
    "PAYMENT_FAILED_WEBHOOK",
    "PAYMENT_USER_DROPPED_WEBHOOK",
)
REFUND_WEBHOOKS = ("REFUND_STATUS_WEBHOOK", "AUTO_REFUND_STATUS_WEBHOOK")


def parse_verified(raw: bytes, timestamp: str, signature: str, secret: str) -> dict[str, Any]:
    """The webhook JSON, only if its signature matches the exact bytes received."""
    if not signature_valid(secret, timestamp, raw, signature):
        raise BadSignature(timestamp)
    try:
        body = bounded_loads(raw, parse_float=Decimal)
    except ValueError as exc:
        raise MalformedWebhook("The webhook body is not JSON.") from exc
    if not isinstance(body, dict):
        raise MalformedWebhook("The webhook body is not a JSON object.")
    return body


def apply_payment(body: dict[str, Any], *, ledger: Ledger) -> str:
    """A payment webhook's attempt, recorded once; anything that cannot apply is alerted."""
    kind = body.get("type")
    data = body.get("data") or {}
    order_data, payment = data.get("order") or {}, data.get("payment") or {}
    order_id = str(order_data.get("order_id") or "")
    order = ledger.orders.get(order_id) if order_id else None
    if order is None:
        ledger.orders.alert("unknown_order", {"orderId": order_id, "type": kind})
        return "unknown_order"
    currency = str(order_data.get("order_currency") or "")
    try:
        amount = to_minor(order_data.get("order_amount"), currency)
        paid = to_minor(payment.get("payment_amount", order_data.get("order_amount")), currency)
    except BadAmount:
        amount = paid = -1
    if not order.matches(amount, currency) or (kind == PAYMENT_WEBHOOKS[0] and paid != amount):
        ledger.orders.alert(
            "amount_mismatch",
            {
                "orderId": order_id,
                "amount": str(order_data.get("order_amount")),
                "currency": currency,
            },
        )
        return "amount_mismatch"
    attempt = Attempt(
        provider_payment_id=str(payment.get("cf_payment_id") or ""),
        status=str(payment.get("payment_status") or ""),
        amount=paid,
        currency=currency,
        at=str(payment.get("payment_time") or body.get("event_time") or ""),
        message=payment.get("payment_message"),
    )
    if not attempt.provider_payment_id or not attempt.status:
        ledger.orders.alert("malformed_payment", {"orderId": order_id, "type": kind})
        return "malformed"
    try:
        updated = apply_attempt(order_id, attempt, ledger=ledger, read=order)
    except UnknownOrder:
        return "unknown_order"
    return str(updated.status)


def apply_refund(body: dict[str, Any], *, ledger: Ledger) -> str:
    """A refund's state; one that comes before its payment's webhook first settles the payment."""
    entity = (body.get("data") or {}).get("refund") or {}
    order_id = str(entity.get("order_id") or "")
    order = ledger.orders.get(order_id) if order_id else None
    if order is None:
        ledger.orders.alert("unknown_order", {"orderId": order_id, "type": body.get("type")})
        return "unknown_order"
    currency = str(entity.get("refund_currency") or order.currency)
    try:
        amount = to_minor(entity.get("refund_amount"), currency)
    except BadAmount:
        amount = -1
    if not order.matches(amount, currency):  # ProLearn refunds whole orders only
        ledger.orders.alert(
            "refund_mismatch",
            {"orderId": order_id, "amount": str(entity.get("refund_amount")), "currency": currency},
        )
        return "refund_mismatch"
    update = refunds.update_from_entity(entity)
    if not update.refund_id or not update.status:
        ledger.orders.alert("malformed_refund", {"orderId": order_id})
        return "malformed"
    updated = refunds.apply_update(
        order_id, update, orders=ledger.orders, unit_of_work=ledger.unit_of_work, read=order
    )
    if updated.status == PENDING:
        updated = reconciler.reconcile_order(updated, ledger=ledger)
    return updated.refund.status if updated.refund else "ignored"
