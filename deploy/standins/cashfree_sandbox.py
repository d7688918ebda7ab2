"""The Cashfree simulator's parts wired together: orders, request idempotency and webhooks."""

from __future__ import annotations

from typing import Any

from standins.cashfree_payloads import Event
from standins.cashfree_requests import RequestLog
from standins.cashfree_store import OrderStore
from standins.cashfree_validation import RefundRequest
from standins.cashfree_webhooks import SignedWebhook, WebhookDispatcher
from standins.config import StandinConfig
from standins.idempotency import IdempotencyStore


class CashfreeSandbox:
    """Records payments and refunds and sends the webhooks they cause."""

    def __init__(self, config: StandinConfig) -> None:
        self.config = config
        self.orders = OrderStore()
        self.idempotency = IdempotencyStore()
        self.requests = RequestLog()
        self.webhooks = WebhookDispatcher(
            config.cashfree_webhook_version, config.cashfree_retry_seconds
        )

    def pay(self, order_id: str, outcome: str, *, deliver: bool) -> dict[str, Any]:
        """Record an attempt; when `deliver`, try its webhook before returning (retries later)."""
        payment, event = self.orders.record_payment(order_id, outcome)
        delivered = self.webhooks.deliver(self._signed(event)) if deliver else None
        return {
            "cf_payment_id": payment.cf_payment_id,
            "payment_status": payment.status,
            "delivered": delivered,
        }

    def refund(self, order_id: str, request: RefundRequest) -> dict[str, Any]:
        """Create a refund; its REFUND_STATUS_WEBHOOK goes out in the background."""
        entity, event = self.orders.create_refund(order_id, request)
        if event is not None:
            self.webhooks.deliver_in_background(self._signed(event))
        return entity

    def _signed(self, event: Event) -> SignedWebhook:
        return SignedWebhook.build(
            event.payload,
            event.order_id,
            event.notify_url or self.config.cashfree_webhook_url,
            self.config.cashfree_client_secret,
        )
