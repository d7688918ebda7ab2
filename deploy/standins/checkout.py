"""Hosted checkout page (`/checkout/<payment_session_id>`): a customer pays, fails or cancels."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, redirect, render_template_string, request
from werkzeug.wrappers import Response as BaseResponse

from standins.cashfree_errors import CashfreeError
from standins.cashfree_sandbox import CashfreeSandbox
from standins.cashfree_store import PAYMENT_OUTCOMES
from standins.money import Money

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Cashfree sandbox checkout</title></head>
<body>
  <h1>Cashfree sandbox checkout</h1>
  {% if order %}
  <p>Order <strong>{{ order.order_id }}</strong></p>
  <p>Customer <strong id="customer">{{ order.customer_details.customer_name or "" }}</strong></p>
  <p>Amount <strong>&#8377;{{ amount }}</strong> ({{ order.order_currency }})</p>
  <p>Status <strong id="status">{{ order.order_status }}</strong></p>
  {% endif %}
  {% if message %}<p id="message">{{ message }}</p>{% endif %}
  {% if order and order.order_status == "ACTIVE" and not message %}
  <form method="post" action="{{ pay_url }}">
    <button name="outcome" value="SUCCESS">Pay</button>
    <button name="outcome" value="FAILED">Fail</button>
    <button name="outcome" value="USER_DROPPED">Cancel</button>
  </form>
  {% endif %}
</body>
</html>
"""


def create_checkout_blueprint(sandbox: CashfreeSandbox) -> Blueprint:
    """The browser-facing checkout that the real `cashfree.checkout({paymentSessionId})` opens."""
    blueprint = Blueprint("checkout", __name__, url_prefix="/checkout")

    def render(session_id: str, message: str | None = None, status: int = 200) -> Response:
        order_id = sandbox.orders.order_id_for_session(session_id)
        order = sandbox.orders.order(order_id) if order_id else None
        page = render_template_string(
            PAGE,
            order=order,
            amount=Money(order["order_amount"]).formatted() if order else None,
            message=message if order else "Unknown payment session.",
            pay_url=f"/checkout/{quote(session_id)}/pay",
        )
        return Response(page, status=status if order else 404, mimetype="text/html")

    @blueprint.get("/<session_id>")
    def show(session_id: str) -> Response:
        return render(session_id)

    @blueprint.post("/<session_id>/pay")
    def pay(session_id: str) -> BaseResponse:
        order_id = sandbox.orders.order_id_for_session(session_id)
        outcome = request.form.get("outcome", "")
        if order_id is None:
            return render(session_id)
        if outcome not in PAYMENT_OUTCOMES:
            return render(session_id, "Choose Pay, Fail or Cancel.", 400)
        try:
            result = sandbox.pay(order_id, outcome, deliver=True)
        except CashfreeError as error:
            return render(session_id, error.message, error.status)
        return_url = sandbox.orders.order(order_id)["order_meta"]["return_url"]
        if return_url:
            return redirect(return_url.replace("{order_id}", quote(order_id)), code=303)
        return render(session_id, f"Payment {result['payment_status']}.")

    return blueprint
