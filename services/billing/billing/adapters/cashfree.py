"""A small Cashfree PG client (2023-08-01 API) with a configurable base URL."""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from typing import Any

import requests

from shared.config import CashfreeSettings, held_secret
from shared.context import current_correlation_id
from shared.http import new_session, url_path

log = logging.getLogger(__name__)


class CashfreeError(Exception):
    """Cashfree answered with an error body {message, code, type}."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code


class CashfreeUnavailable(Exception):
    """Cashfree could not be reached or answered with a server error."""


class CashfreeClient:
    """Orders and payments; the official SDK hard-codes hosts, this one does not."""

    def __init__(self, settings: CashfreeSettings, session: requests.Session | None = None) -> None:
        self._base = settings.api_url
        self._session = session or new_session(retry_writes=True)  # every write is keyed
        self._session.headers.update(
            {
                "x-client-id": held_secret(settings.client_id, "CASHFREE_CLIENT_ID"),
                "x-client-secret": held_secret(settings.client_secret, "CASHFREE_CLIENT_SECRET"),
                "x-api-version": settings.api_version,
                "Content-Type": "application/json",
                "Accept": "application/json",
            }
        )

    def create_order(self, order: dict[str, Any]) -> dict[str, Any]:
        """POST /orders with our own order_id; a replay of it returns the existing order."""
        try:
            created: dict[str, Any] = self._call(
                "POST", "/orders", order, idempotency_key=order["order_id"]
            )
            return created
        except CashfreeError as exc:
            if exc.code == "order_already_exists":
                return self.get_order(order["order_id"])
            raise

    def get_order(self, order_id: str) -> dict[str, Any]:
        found: dict[str, Any] = self._call("GET", url_path("orders", order_id))
        return found

    def get_payments(self, order_id: str) -> list[dict[str, Any]]:
        payments: Any = self._call("GET", url_path("orders", order_id, "payments"))
        return list(payments)

    def terminate_order(self, order_id: str) -> dict[str, Any]:
        """PATCH the order to TERMINATED: no payment can succeed on it afterwards."""
        order: dict[str, Any] = self._call(
            "PATCH", url_path("orders", order_id), {"order_status": "TERMINATED"}
        )
        return order

    def create_refund(self, order_id: str, refund: dict[str, Any]) -> dict[str, Any]:
        """POST a refund with our own refund_id; a replay of it returns the existing refund."""
        try:
            created: dict[str, Any] = self._call(
                "POST",
                url_path("orders", order_id, "refunds"),
                refund,
                idempotency_key=refund["refund_id"],
            )
            return created
        except CashfreeError as exc:
            if exc.code == "refund_already_exists":
                return self.get_refund(order_id, refund["refund_id"])
            raise

    def get_refund(self, order_id: str, refund_id: str) -> dict[str, Any]:
        found: dict[str, Any] = self._call(
            "GET", url_path("orders", order_id, "refunds", refund_id)
        )
        return found

    def _call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        headers = {"x-request-id": current_correlation_id()}
        if idempotency_key:
            headers["x-idempotency-key"] = idempotency_key
        data = json.dumps(body, default=_decimal) if body is not None else None
        try:
            response = self._session.request(
                method, self._base + path, data=data, headers=headers, timeout=(3, 10)
            )
        except requests.RequestException as exc:
            raise CashfreeUnavailable(str(exc)) from exc
        if response.status_code >= 500:
            raise CashfreeUnavailable(f"{response.status_code} from Cashfree")
        payload = response.json(parse_float=Decimal)
        if response.status_code >= 400:
            raise CashfreeError(
                response.status_code, str(payload.get("code")), str(payload.get("message"))
            )
        return payload


def _decimal(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
