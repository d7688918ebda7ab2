"""Payment endpoints: create-order, order-status, refunds, transactions, sales, and Cashfree's
webhook."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from billing import errors, views
from billing.adapters.cashfree import CashfreeError, CashfreeUnavailable
from billing.bootstrap import Billing
from billing.commands import CreateOrder, ReceiveWebhook, RequestRefund, ShowOrderStatus
from shared.api.payments import CreateOrderBody, RefundBody, WebhookOutcome
from shared.auth.access import current_principal, require_auth
from shared.web.body import parse_body
from shared.web.errors import translate_errors
from shared.web.responses import decode_cursor, encode_cursor, ok, parse_limit

bp = Blueprint("payments", __name__, url_prefix="/api/payments")

NO_SUCH_ORDER = "No such order."
GATEWAY_DOWN = (503, "payments_unavailable", "The payment gateway is unavailable.")

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
        errors.OrderNotFound: (404, "order_not_found", NO_SUCH_ORDER),
        errors.OrderBusy: (409, "order_busy", "The order is busy; try again."),
        errors.RefundRefused: (409, None, None),
        errors.BadSignature: (401, "bad_signature", "The webhook signature does not match."),
        errors.MalformedWebhook: (400, "malformed_json", None),
        errors.DependencyUnavailable: (503, None, None),
        CashfreeUnavailable: GATEWAY_DOWN,
        CashfreeError: GATEWAY_DOWN,
    },
)


def _app() -> Billing:
    billing: Billing = current_app.extensions["billing"]
    return billing


@bp.post("/create-order")
@require_auth("student")
def create_order() -> Response:
    body = parse_body(CreateOrderBody)
    order = _app().create_order(CreateOrder(current_principal().user_id, body.course_id))
    return ok(order.wire(), "Order created successfully")


@bp.get("/order-status/<userId>/<orderId>")
@require_auth(self_param="userId")
def order_status(userId: str, orderId: str) -> Response:  # noqa: N803 - path names are the API's
    try:
        order = _app().show_order_status(ShowOrderStatus(userId, orderId))
    except errors.OrderNotFound:  # pollers also read `data.status` of this 404
        response = jsonify(views.unknown_order(NO_SUCH_ORDER).wire())
        response.status_code = 404
        return response
    return ok(views.order_status(order).wire(), "Order status retrieved")


@bp.post("/refunds")
@require_auth("student")
def request_refund() -> Response:
    """202 with the new refund (Cashfree settles it later); 200 with the order's existing one."""
    body = parse_body(RefundBody)
    command = RequestRefund(current_principal().user_id, body.order_id, body.reason)
    requested = _app().request_refund(command)
    refund = views.refund(requested.order)
    data = refund.wire() if refund else None
    if requested.created:
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
    data = [views.transaction(o).wire() for o in orders]
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
    data = [views.sale(o).wire() for o in orders]
    return ok(data, "Sales retrieved successfully", cursor=encode_cursor(last))


@bp.get("/sales/totals")
@require_auth("teacher")
def sales_totals() -> Response:
    """Per course and currency: paid orders and their sum, refunds and theirs, and what is
    left (minor units), largest net first."""
    totals = _app().orders.sales_totals(current_principal().user_id)
    rows = [row.wire() for row in views.sales_totals(totals)]
    return ok(rows, "Sales totals retrieved successfully")


@bp.post("/webhook")
def cashfree_webhook() -> Response:
    """200 once durably recorded (or already), 401 for a bad signature, 5xx if storage failed.
    The body is handed on as the exact bytes received: the signature covers them."""
    headers = {k.lower(): v for k, v in request.headers.items()}
    command = ReceiveWebhook(
        body=request.get_data(cache=False),
        timestamp=headers.get("x-webhook-timestamp", ""),
        signature=headers.get("x-webhook-signature", ""),
    )
    outcome = WebhookOutcome(outcome=_app().receive_webhook(command))
    return ok(outcome.wire(), "Webhook processed")
