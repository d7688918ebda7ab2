"""Hosted checkout page: renders the order safely, and its Pay / Fail / Cancel forms work."""

from __future__ import annotations

import json

import requests

from standins.tests.conftest import CashfreeClient, WebhookReceiver


def checkout_url(cashfree: CashfreeClient, session_id: str) -> str:
    return f"{cashfree.base_url}/checkout/{session_id}"


def test_page_shows_the_order_and_escapes_it(cashfree: CashfreeClient) -> None:
    customer = {
        "customer_id": "user_42",
        "customer_phone": "9876543210",
        "customer_name": "<script>alert(1)</script>",
    }
    order = cashfree.create_order(499, customer_details=customer)
    page = requests.get(checkout_url(cashfree, order["payment_session_id"]), timeout=5)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert order["order_id"] in page.text
    assert "499.00" in page.text
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text
    for outcome in ("SUCCESS", "FAILED", "USER_DROPPED"):
        assert f'value="{outcome}"' in page.text
    assert f'action="/checkout/{order["payment_session_id"]}/pay"' in page.text


def test_pay_redirects_to_return_url_after_the_webhook(
    cashfree: CashfreeClient, receiver: WebhookReceiver
) -> None:
    body = cashfree.order_body()
    body["order_meta"]["return_url"] = "http://localhost:3000/payments/{order_id}/done"
    order = cashfree.call("POST", "/orders", json=body).json()
    response = requests.post(
        checkout_url(cashfree, order["payment_session_id"]) + "/pay",
        data={"outcome": "SUCCESS"},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 303
    assert response.headers["Location"] == (
        f"http://localhost:3000/payments/{order['order_id']}/done"
    )
    [hook] = receiver.hits(order["order_id"])
    assert json.loads(hook.raw)["type"] == "PAYMENT_SUCCESS_WEBHOOK"
    assert cashfree.call("GET", f"/orders/{order['order_id']}").json()["order_status"] == "PAID"
    page = requests.get(checkout_url(cashfree, order["payment_session_id"]), timeout=5)
    assert 'value="SUCCESS"' not in page.text


def test_fail_and_cancel_without_return_url_show_a_result_page(
    cashfree: CashfreeClient, receiver: WebhookReceiver
) -> None:
    order = cashfree.create_order()
    pay_url = checkout_url(cashfree, order["payment_session_id"]) + "/pay"
    failed = requests.post(pay_url, data={"outcome": "FAILED"}, timeout=10)
    dropped = requests.post(pay_url, data={"outcome": "USER_DROPPED"}, timeout=10)
    assert failed.status_code == dropped.status_code == 200
    assert "Payment FAILED." in failed.text
    assert "Payment USER_DROPPED." in dropped.text
    types = [json.loads(hit.raw)["type"] for hit in receiver.hits(order["order_id"])]
    assert types == ["PAYMENT_FAILED_WEBHOOK", "PAYMENT_USER_DROPPED_WEBHOOK"]
    statuses = cashfree.call("GET", f"/orders/{order['order_id']}/payments").json()
    assert [p["payment_status"] for p in statuses] == ["FAILED", "USER_DROPPED"]


def test_bad_outcome_and_unknown_session(cashfree: CashfreeClient) -> None:
    order = cashfree.create_order()
    pay_url = checkout_url(cashfree, order["payment_session_id"]) + "/pay"
    assert requests.post(pay_url, data={"outcome": "STEAL"}, timeout=5).status_code == 400
    assert requests.get(checkout_url(cashfree, "session_unknown"), timeout=5).status_code == 404
    unknown_pay = checkout_url(cashfree, "session_unknown") + "/pay"
    assert requests.post(unknown_pay, data={"outcome": "SUCCESS"}, timeout=5).status_code == 404


def test_paying_a_paid_order_again_is_refused(cashfree: CashfreeClient) -> None:
    order = cashfree.create_order()
    cashfree.pay(order["order_id"], deliver=False)
    pay_url = checkout_url(cashfree, order["payment_session_id"]) + "/pay"
    again = requests.post(pay_url, data={"outcome": "SUCCESS"}, timeout=5)
    assert again.status_code == 409
    assert "already paid" in again.text
