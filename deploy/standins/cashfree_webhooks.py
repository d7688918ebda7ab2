"""Signed webhook delivery with Cashfree's retry policy, and a log of every attempt."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import requests

from standins.clock import now
from standins.money import dumps_with_money

logger = logging.getLogger(__name__)
DELIVERY_TIMEOUT_SECONDS = 10.0


def webhook_signature(secret: str, timestamp: str, raw_body: bytes) -> str:
    """Cashfree's `x-webhook-signature`: base64(HMAC-SHA256(secret, timestamp + raw body))."""
    digest = hmac.new(secret.encode(), timestamp.encode() + raw_body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


@dataclass(frozen=True)
class SignedWebhook:
    """One event, serialised and signed once; every attempt re-sends these exact bytes."""

    event_id: str
    event_type: str
    order_id: str
    url: str
    raw_body: bytes
    timestamp: str
    signature: str

    @classmethod
    def build(cls, payload: dict[str, Any], order_id: str, url: str, secret: str) -> SignedWebhook:
        """Serialise `payload` (Money as two decimals) and sign it with the client secret."""
        raw_body = dumps_with_money(payload)
        timestamp = str(int(time.time() * 1000))
        return cls(
            event_id=uuid.uuid4().hex,
            event_type=str(payload["type"]),
            order_id=order_id,
            url=url,
            raw_body=raw_body,
            timestamp=timestamp,
            signature=webhook_signature(secret, timestamp, raw_body),
        )


@dataclass(frozen=True)
class DeliveryAttempt:
    """One POST of a webhook: its HTTP status, or None when the connection failed."""

    type: str
    order_id: str
    attempt: int
    status: int | None
    url: str
    at: str


class WebhookDispatcher:
    """Posts webhooks; on anything but HTTP 200 retries after each configured delay."""

    def __init__(self, version: str, retry_delays: tuple[float, ...]) -> None:
        self._version = version
        self._retry_delays = retry_delays
        self._lock = threading.Lock()
        self._attempt_counts: dict[str, int] = {}
        self._latest_by_order: dict[str, SignedWebhook] = {}
        self._log: list[DeliveryAttempt] = []

    def deliver(self, webhook: SignedWebhook) -> int | None:
        """Try the first delivery now; schedule the retries in the background if it failed."""
        with self._lock:
            self._latest_by_order[webhook.order_id] = webhook
        return self._attempt_with_retries(webhook, retries_done=0)

    def deliver_in_background(self, webhook: SignedWebhook) -> None:
        """Deliver (with retries) without blocking the caller."""
        _run_later(0, lambda: self.deliver(webhook))

    def redeliver_latest(self, order_id: str) -> DeliveryAttempt | None:
        """Re-send the order's latest webhook once, as a new attempt; None if it has none."""
        with self._lock:
            webhook = self._latest_by_order.get(order_id)
        return self._attempt(webhook) if webhook else None

    def latest(self, order_id: str) -> dict[str, Any] | None:
        """The order's latest signed webhook as sent: headers and the exact body text."""
        with self._lock:
            webhook = self._latest_by_order.get(order_id)
        if webhook is None:
            return None
        return {
            "url": webhook.url,
            "headers": {
                "content-type": "application/json",
                "x-webhook-signature": webhook.signature,
                "x-webhook-timestamp": webhook.timestamp,
                "x-webhook-version": self._version,
            },
            "body": webhook.raw_body.decode(),
        }

    def attempts(self, order_id: str | None = None) -> list[dict[str, Any]]:
        """The delivery log, oldest first, optionally for one order."""
        with self._lock:
            return [
                asdict(attempt)
                for attempt in self._log
                if order_id is None or attempt.order_id == order_id
            ]

    def _attempt_with_retries(self, webhook: SignedWebhook, retries_done: int) -> int | None:
        status = self._attempt(webhook).status
        if status != 200 and retries_done < len(self._retry_delays):
            _run_later(
                self._retry_delays[retries_done],
                lambda: self._attempt_with_retries(webhook, retries_done + 1),
            )
        return status

    def _attempt(self, webhook: SignedWebhook) -> DeliveryAttempt:
        with self._lock:
            number = self._attempt_counts.get(webhook.event_id, 0) + 1
            self._attempt_counts[webhook.event_id] = number
        headers = {
            "content-type": "application/json",
            "x-webhook-signature": webhook.signature,
            "x-webhook-timestamp": webhook.timestamp,
            "x-webhook-version": self._version,
            "x-webhook-attempt": str(number),
        }
        try:
            response = requests.post(
                webhook.url,
                data=webhook.raw_body,
                headers=headers,
                timeout=DELIVERY_TIMEOUT_SECONDS,
                allow_redirects=False,
            )
            status: int | None = response.status_code
        except requests.RequestException as error:
            logger.warning("webhook %s to %s failed: %s", webhook.event_type, webhook.url, error)
            status = None
        attempt = DeliveryAttempt(
            webhook.event_type, webhook.order_id, number, status, webhook.url, now().isoformat()
        )
        logger.info(
            "webhook %s for order %s attempt %d -> %s",
            webhook.event_type,
            webhook.order_id,
            number,
            status,
        )
        with self._lock:
            self._log.append(attempt)
        return attempt


def _run_later(delay_seconds: float, action: Callable[[], object]) -> None:
    timer = threading.Timer(delay_seconds, action)
    timer.daemon = True
    timer.start()
