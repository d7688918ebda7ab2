"""Payment endpoints: create-order, order-status, transactions, and Cashfree's webhook."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from billing import checkout, reconciler, refunds, webhook
from billing.adapters.cashfree import CashfreeError, CashfreeUnavailable
from billing.bootstrap import Billing
from billing.views import refund_json, transaction_json
from shared.auth.access import check_identity_fields, current_principal, require_auth
from shared.web.errors import BadRequest, Unavailable
from shared.web.ids import ID_RULE, is_id, require_id
from shared.web.responses import decode_cursor, encode_cursor, ok, parse_limit

bp = Blueprint("payments", __name__, url_prefix="/api/payments")

MAX_REASON_CHARS = 500


def _app() -> Billing:
    billing: Billing = current_app.extensions["billing"]
    return billing


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
    require_id(course_id, "courseId")
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
    if reconciler.due_now(app, order):
        order = reconciler.reconcile_order(app, order)
    return ok({"status": order.status, "orderId": order.order_id}, "Order status retrieved")


@bp.post("/refunds")
@require_auth("student")
def request_refund() -> Response:
    """202 with the new refund (Cashfree settles it later); 200 with the order's existing one."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("The body must be a JSON object.", code="malformed_json")
    check_identity_fields(body, "userId")
    order_id, reason = body.get("orderId"), body.get("reason", "")
    errors = {}
    if not isinstance(order_id, str) or not order_id:
        errors["orderId"] = "required"
    elif not is_id(order_id):
        errors["orderId"] = ID_RULE
    if not isinstance(reason, str) or len(reason) > MAX_REASON_CHARS:
        errors["reason"] = f"a text of at most {MAX_REASON_CHARS} characters"
    if errors:
        raise BadRequest("The refund request is invalid.", details=errors)
    order, created = refunds.request_refund(
        _app(), current_principal().user_id, str(order_id), str(reason).strip()
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
