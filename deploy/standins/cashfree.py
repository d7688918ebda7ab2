"""Cashfree PG API stand-in under `/pg/orders`: Cashfree's headers, validation and errors."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, jsonify, request

from standins.cashfree_errors import CashfreeError
from standins.cashfree_sandbox import CashfreeSandbox
from standins.cashfree_sim import create_sim_blueprint
from standins.cashfree_validation import parse_order_request, parse_refund_request
from standins.config import StandinConfig
from standins.idempotency import IdempotencyKeyMismatchError, fingerprint

API_VERSION = "2023-08-01"


def create_cashfree_blueprint(sandbox: CashfreeSandbox) -> Blueprint:
    """The `/pg` blueprint: the credentialed orders API and the credential-free `/sim` controls."""
    blueprint = Blueprint("cashfree", __name__, url_prefix="/pg")
    blueprint.register_error_handler(CashfreeError, CashfreeError.to_response)
    blueprint.register_blueprint(_orders_blueprint(sandbox))
    blueprint.register_blueprint(create_sim_blueprint(sandbox))
    return blueprint


def _orders_blueprint(sandbox: CashfreeSandbox) -> Blueprint:
    blueprint = Blueprint("orders", __name__, url_prefix="/orders")
    orders = sandbox.orders

    @blueprint.before_request
    def check_headers() -> None:
        order_id = (request.view_args or {}).get("order_id")
        if order_id is not None:
            sandbox.requests.record(order_id, request.method, request.path)
        _require_version_and_credentials(sandbox.config)

    @blueprint.after_request
    def add_headers(response: Response) -> Response:
        response.headers["x-api-version"] = request.headers.get("x-api-version") or API_VERSION
        if request_id := request.headers.get("x-request-id"):
            response.headers["x-request-id"] = request_id
        return response

    @blueprint.post("")
    def create_order() -> Response:
        return _idempotent(sandbox, "orders", lambda body: orders.create(parse_order_request(body)))

    @blueprint.get("/<order_id>")
    def get_order(order_id: str) -> Response:
        return jsonify(orders.order(order_id))

    @blueprint.patch("/<order_id>")
    def terminate_order(order_id: str) -> Response:
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or body.get("order_status") != "TERMINATED":
            raise CashfreeError(400, "order_status : should be TERMINATED", "order_status_invalid")
        return jsonify(orders.terminate(order_id))

    @blueprint.get("/<order_id>/payments")
    def list_payments(order_id: str) -> Response:
        return jsonify(orders.payments(order_id))

    @blueprint.get("/<order_id>/payments/<cf_payment_id>")
    def get_payment(order_id: str, cf_payment_id: str) -> Response:
        return jsonify(orders.payment(order_id, cf_payment_id))

    @blueprint.post("/<order_id>/refunds")
    def create_refund(order_id: str) -> Response:
        return _idempotent(
            sandbox,
            f"refunds:{order_id}",
            lambda body: sandbox.refund(order_id, parse_refund_request(body)),
        )

    @blueprint.get("/<order_id>/refunds")
    def list_refunds(order_id: str) -> Response:
        return jsonify(orders.refunds(order_id))

    @blueprint.get("/<order_id>/refunds/<refund_id>")
    def get_refund(order_id: str, refund_id: str) -> Response:
        return jsonify(orders.refund(order_id, refund_id))

    return blueprint


def _require_version_and_credentials(config: StandinConfig) -> None:
    if not request.headers.get("x-api-version"):
        raise CashfreeError(400, "x-api-version is missing in the request", "version_missing")
    client_id = request.headers.get("x-client-id", "")
    client_secret = request.headers.get("x-client-secret", "")
    id_matches = hmac.compare_digest(client_id.encode(), config.cashfree_client_id.encode())
    secret_matches = hmac.compare_digest(
        client_secret.encode(), config.cashfree_client_secret.encode()
    )
    if not (id_matches and secret_matches):
        raise CashfreeError(401, "authentication Failed", "request_failed", "authentication_error")


def _idempotent(
    sandbox: CashfreeSandbox, scope: str, create: Callable[[Any], dict[str, Any]]
) -> Response:
    """Run `create` on the body; with `x-idempotency-key`, replay or reject repeats for 24 h."""
    body = request.get_json(silent=True)
    key = request.headers.get("x-idempotency-key")
    if not key:
        return jsonify(create(body))
    scoped_key, body_fingerprint = f"{scope}:{key}", fingerprint(body)
    try:
        stored = sandbox.idempotency.lookup(scoped_key, body_fingerprint)
    except IdempotencyKeyMismatchError:
        raise CashfreeError(
            400,
            "idempotency key was already used with a different request body",
            "idempotency_key_mismatch",
            "idempotency_error",
        ) from None
    if stored is not None:
        replay = jsonify(stored.body)
        replay.status_code = stored.status
        replay.headers["x-idempotency-replayed"] = "true"
        return replay
    created = create(body)
    sandbox.idempotency.remember(scoped_key, body_fingerprint, 200, created)
    return jsonify(created)
