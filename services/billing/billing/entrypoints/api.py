"""Payment endpoints: create-order, order-status, transactions, and Cashfree's webhook."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from billing import checkout, payments, webhook
from billing.adapters.cashfree import CashfreeError, CashfreeUnavailable
from billing.bootstrap import Billing
from billing.domain.model import Order
from shared.auth.access import check_identity_fields, current_principal, require_auth
from shared.web.errors import BadRequest, Unavailable
from shared.web.responses import decode_cursor, encode_cursor, ok, parse_limit

bp = Blueprint("payments", __name__, url_prefix="/api/payments")


def _app() -> Billing:
    billing: Billing = current_app.extensions["billing"]
    return billing


def transaction_json(order: Order) -> dict[str, Any]:
    return {
        "userId": order.user_id,
        "transactionId": order.order_id,
        "dateTime": order.paid_at or order.created_at,
        "courseId": order.course_id,
        "paymentProvider": "cashfree",
        "amount": order.amount,
        "currency": order.currency,
        "status": order.status,
    }


@bp.post("/create-order")
@require_auth("student")
def create_order() -> Response:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("The body must be a JSON object.", code="malformed_json")
    check_identity_fields(body, "userId")
    course_id = body.get("courseId")
    if not isinstance(course_id, str) or not course_id:
        raise BadRequest("courseId is required.", details={"courseId": "required"})
    try:
        order = checkout.create_order(_app(), current_principal().user_id, course_id)
    except (CashfreeUnavailable, CashfreeError) as exc:
        raise Unavailable(
            "The payment gateway is unavailable.", code="payments_unavailable"
        ) from exc
    return ok(order, "Order created successfully")


@bp.get("/order-status/<userId>/<orderId>")
@require_auth(self_param="userId")
def order_status(userId: str, orderId: str) -> Response:  # noqa: N803 - path names are the API's
    app = _app()
    order = app.orders.get(orderId)
    if order is None or order.user_id != userId:
        response = jsonify(
            {
                "message": "No such order.",
                "error": {"code": "order_not_found", "details": None},
                "data": {"status": "NOT_FOUND"},
            }
        )
        response.status_code = 404
        return response
    if payments.due_for_reconciliation(app, order):
        order = payments.reconcile(app, order)
    return ok({"status": order.status, "orderId": order.order_id}, "Order status retrieved")


@bp.get("/transactions/<userId>")
@require_auth(self_param="userId")
def transactions(userId: str) -> Response:  # noqa: N803 - path names are the API's
    orders, last = _app().orders.of_user(
        userId, parse_limit(request.args.get("limit")), decode_cursor(request.args.get("cursor"))
    )
    data = [transaction_json(o) for o in orders]
    return ok(data, "Transactions retrieved successfully", cursor=encode_cursor(last))


@bp.get("/sales")
@require_auth("teacher")
def sales() -> Response:
    """The caller's courses' paid orders, newest first (buyer, course, amount)."""
    orders, last = _app().orders.sales_of(
        current_principal().user_id,
        parse_limit(request.args.get("limit")),
        decode_cursor(request.args.get("cursor")),
    )
    data = [{**transaction_json(o), "courseTitle": o.course_title} for o in orders]
    return ok(data, "Sales retrieved successfully", cursor=encode_cursor(last))


@bp.get("/sales/totals")
@require_auth("teacher")
def sales_totals() -> Response:
    """Per course and currency: paid orders and their sum in minor units."""
    totals = _app().orders.sales_totals(current_principal().user_id)
    data = [
        {
            "courseId": t["courseId"],
            "courseTitle": t.get("courseTitle", ""),
            "currency": t["currency"],
            "orders": int(t["orders"]),
            "amount": int(t["amount"]),
        }
        for t in sorted(totals, key=lambda t: (-int(t["amount"]), t["courseId"]))
    ]
    return ok(data, "Sales totals retrieved successfully")


@bp.post("/webhook")
def cashfree_webhook() -> Response:
    """200 once durably recorded (or already), 401 for a bad signature, 5xx if storage failed."""
    raw = request.get_data(cache=False)
    headers = {k.lower(): v for k, v in request.headers.items()}
    body = webhook.parse_verified(_app(), raw, headers)
    outcome = webhook.handle_webhook(_app(), body)
    return ok({"outcome": outcome}, "Webhook processed")
