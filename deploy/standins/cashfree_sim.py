"""Test controls of the Cashfree simulator (`/pg/sim`): pay, expire, inspect, replay webhooks."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from standins.cashfree_errors import CashfreeError
from standins.cashfree_sandbox import CashfreeSandbox
from standins.cashfree_store import PAYMENT_OUTCOMES


def create_sim_blueprint(sandbox: CashfreeSandbox) -> Blueprint:
    """Credential-free controls that stand in for a customer at the hosted checkout."""
    blueprint = Blueprint("sim", __name__, url_prefix="/sim")

    @blueprint.post("/orders/<order_id>/pay")
    def pay(order_id: str) -> Response:
        body = request.get_json(silent=True) or {}
        outcome = body.get("outcome", "SUCCESS")
        deliver = body.get("deliver", True)
        if outcome not in PAYMENT_OUTCOMES:
            raise CashfreeError(
                400, "outcome : should be SUCCESS, FAILED or USER_DROPPED", "outcome_invalid"
            )
        if not isinstance(deliver, bool):
            raise CashfreeError(400, "deliver : should be a boolean", "deliver_invalid")
        return jsonify(sandbox.pay(order_id, outcome, deliver=deliver))

    @blueprint.post("/orders/<order_id>/expire")
    def expire(order_id: str) -> Response:
        return jsonify(sandbox.orders.expire(order_id))

    @blueprint.post("/orders/<order_id>/redeliver")
    def redeliver(order_id: str) -> Response:
        attempt = sandbox.webhooks.redeliver_latest(order_id)
        if attempt is None:
            raise CashfreeError(404, "no webhook was sent for this order", "webhook_not_found")
        return jsonify(attempt)

    @blueprint.get("/orders/<order_id>/webhook")
    def latest_webhook(order_id: str) -> Response:
        webhook = sandbox.webhooks.latest(order_id)
        if webhook is None:
            raise CashfreeError(404, "no webhook was sent for this order", "webhook_not_found")
        return jsonify(webhook)

    @blueprint.get("/orders/<order_id>/requests")
    def order_requests(order_id: str) -> Response:
        return jsonify(sandbox.requests.of_order(order_id))

    @blueprint.get("/webhooks")
    def webhook_attempts() -> Response:
        return jsonify(sandbox.webhooks.attempts(request.args.get("order_id")))

    return blueprint
