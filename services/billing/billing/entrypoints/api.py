"""Payment endpoints: create-order, order-status, transactions, and Cashfree's webhook."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from billing import checkout, errors, reconciler, refunds, webhook
from billing.adapters.cashfree import CashfreeError, CashfreeUnavailable
from billing.bootstrap import Billing
from billing.views import refund_json, transaction_json
from shared.api.payments import CreateOrderBody, RefundBody
from shared.auth.access import current_principal, require_auth
from shared.web.body import parse_body
from shared.web.errors import translate_errors
from shared.web.responses import decode_cursor, encode_cursor, ok, parse_limit

bp = Blueprint("payments", __name__, url_prefix="/api/payments")

translate_errors(
    bp,
    {
        errors.CourseNotForSale: (404, "course_not_found", None),
        errors.AlreadyEnrolled: (
            409,
            "already_enrolled",
            "You are already enrolled in this course.",
        ),
        errors.CheckoutBusy: (409, "checkout_busy", "Checkout is busy for this course; try again."),
        errors.OrderNotFound: (404, "order_not_found", "No such order."),
        errors.OrderBusy: (409, "order_busy", "The order is busy; try again."),
        errors.RefundRefused: (409, None, None),
        errors.BadSignature: (401, "bad_signature", "The webhook signature does not match."),
        errors.MalformedWebhook: (400, "malformed_json", None),
        errors.DependencyUnavailable: (503, None, None),
        CashfreeUnavailable: (503, "payments_unavailable", "The payment gateway is unavailable."),
        CashfreeError: (503, "payments_unavailable", "The payment gateway is unavailable."),
    },
)


def _app() -> Billing:
    billing: Billing = current_app.extensions["billing"]
    return billing


@bp.post("/create-order")
@require_auth("student")
def create_order() -> Response:
    body = parse_body(CreateOrderBody)
    order = checkout.create_order(_app(), current_principal().user_id, body.course_id)
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
    if reconciler.due_now(app, order):
        order = reconciler.reconcile_order(app, order)
    return ok({"status": order.status, "orderId": order.order_id}, "Order status retrieved")


@bp.post("/refunds")
@require_auth("student")
def request_refund() -> Response:
    """202 with the new refund (Cashfree settles it later); 200 with the order's existing one."""
    body = parse_body(RefundBody)
    order, created = refunds.request_refund(
        _app(), current_principal().user_id, body.order_id, body.reason.strip()
    )
    data = refund_json(order, order.refund) if order.refund else None
    if created:
        response = ok(data, "Refund requested")
        response.status_code = 202
        return response
    return ok(data, "Refund already requested")


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
    """Per course and currency: paid orders and their sum, refunds and theirs, and what is
    left (minor units)."""
    totals = _app().orders.sales_totals(current_principal().user_id)
    data = [
        {
            "courseId": t["courseId"],
            "courseTitle": t.get("courseTitle", ""),
            "currency": t["currency"],
            "orders": int(t.get("orders", 0)),
            "amount": int(t.get("amount", 0)),
            "refunds": int(t.get("refunds", 0)),
            "refundedAmount": int(t.get("refundedAmount", 0)),
            "netAmount": int(t.get("amount", 0)) - int(t.get("refundedAmount", 0)),
        }
        for t in totals
    ]
    data.sort(key=lambda t: (-t["netAmount"], t["courseId"]))
    return ok(data, "Sales totals retrieved successfully")


@bp.post("/webhook")
def cashfree_webhook() -> Response:
    """200 once durably recorded (or already), 401 for a bad signature, 5xx if storage failed."""
    raw = request.get_data(cache=False)
    headers = {k.lower(): v for k, v in request.headers.items()}
    body = webhook.parse_verified(_app(), raw, headers)
    outcome = webhook.handle_webhook(_app(), body)
    return ok({"outcome": outcome}, "Webhook processed")
