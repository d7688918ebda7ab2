"""Cashfree orders API: headers, validation, errors, idempotency, termination and expiry."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

import pytest
import requests

from standins.tests.conftest import CashfreeClient

ERROR_KEYS = {"message", "code", "type"}


def test_missing_api_version_is_400_version_missing(cashfree: CashfreeClient) -> None:
    response = cashfree.call(
        "POST", "/orders", json=cashfree.order_body(), headers={"x-api-version": ""}
    )
    assert response.status_code == 400
    assert response.headers["x-api-version"] == "2023-08-01"
    assert response.json() == {
        "message": "x-api-version is missing in the request",
        "code": "version_missing",
        "type": "invalid_request_error",
    }


@pytest.mark.parametrize(
    "credentials",
    [{"x-client-secret": "wrong"}, {"x-client-id": "someone-else"}, {"x-client-secret": ""}],
)
def test_bad_credentials_are_401(cashfree: CashfreeClient, credentials: dict[str, str]) -> None:
    response = cashfree.call("GET", "/orders/anything", headers=credentials)
    assert response.status_code == 401
    assert response.json() == {
        "message": "authentication Failed",
        "code": "request_failed",
        "type": "authentication_error",
    }


def test_create_order_returns_the_order_entity(cashfree: CashfreeClient) -> None:
    body = cashfree.order_body(
        499,
        order_tags={"course": "c1"},
        order_note="Course purchase",
        order_meta={"return_url": "http://localhost:3000/payment/{order_id}"},
    )
    response = cashfree.call("POST", "/orders", json=body, headers={"x-request-id": "trace-1"})
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "trace-1"
    assert response.headers["x-api-version"] == "2023-08-01"
    order = response.json()
    assert order["order_id"] == body["order_id"]
    assert re.fullmatch(r"\d+", order["cf_order_id"])
    assert order["order_amount"] == 499
    assert order["entity"] == "order"
    assert order["order_status"] == "ACTIVE"
    assert order["order_currency"] == "INR"
    assert order["payment_session_id"].startswith("session_")
    assert order["created_at"].endswith("+05:30")
    assert order["order_expiry_time"].endswith("+05:30")
    created = datetime.fromisoformat(order["created_at"])
    expiry = datetime.fromisoformat(order["order_expiry_time"])
    assert expiry - created == timedelta(days=30)
    assert order["customer_details"]["customer_id"] == "user_42"
    assert order["customer_details"]["customer_uid"]
    assert order["order_meta"] == {
        "return_url": "http://localhost:3000/payment/{order_id}",
        "notify_url": None,
        "payment_methods": None,
    }
    assert order["order_splits"] == []
    assert order["order_tags"] == {"course": "c1"}
    assert order["order_note"] == "Course purchase"
    assert order["terminal_data"] is None
    assert cashfree.call("GET", f"/orders/{order['order_id']}").json() == order


def test_order_id_is_generated_when_omitted(cashfree: CashfreeClient) -> None:
    body = cashfree.order_body()
    del body["order_id"]
    order = cashfree.call("POST", "/orders", json=body).json()
    assert order["order_id"].startswith("order_")


def test_reused_order_id_is_409(cashfree: CashfreeClient) -> None:
    order = cashfree.create_order()
    response = cashfree.call(
        "POST", "/orders", json=cashfree.order_body(order_id=order["order_id"])
    )
    assert response.status_code == 409
    assert response.json() == {
        "message": "order with same id is already present",
        "code": "order_already_exists",
        "type": "invalid_request_error",
    }


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (
            {"customer_details": {"customer_id": "user_42", "customer_phone": "12345"}},
            "customer_details.customer_phone_invalid",
        ),
        (
            {"customer_details": {"customer_id": "user_42"}},
            "customer_details.customer_phone_invalid",
        ),
        (
            {"customer_details": {"customer_id": "u!", "customer_phone": "9876543210"}},
            "customer_details.customer_id_invalid",
        ),
        ({"order_amount": 0.5}, "order_amount_invalid"),
        ({"order_amount": 10.155}, "order_amount_invalid"),
        ({"order_amount": "499"}, "order_amount_invalid"),
        ({"order_currency": None}, "order_currency_invalid"),
        ({"order_id": "ab"}, "order_id_invalid"),
        ({"order_id": "has space"}, "order_id_invalid"),
        ({"order_note": "x"}, "order_note_invalid"),
        ({"order_tags": {str(n): "v" for n in range(11)}}, "order_tags_invalid"),
        ({"order_expiry_time": "tomorrow"}, "order_expiry_time_invalid"),
    ],
)
def test_invalid_orders_are_400(
    cashfree: CashfreeClient, change: dict[str, object], code: str
) -> None:
    response = cashfree.call("POST", "/orders", json={**cashfree.order_body(), **change})
    assert response.status_code == 400
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["code"] == code
    assert body["type"] == "invalid_request_error"
    assert body["message"].startswith(code.removesuffix("_invalid") + " : ")


def test_international_phone_with_plus_is_accepted(cashfree: CashfreeClient) -> None:
    customer = {"customer_id": "user_42", "customer_phone": "+447700900123"}
    cashfree.create_order(customer_details=customer)


def test_unknown_order_is_404(cashfree: CashfreeClient) -> None:
    response = cashfree.call("GET", "/orders/no_such_order")
    assert response.status_code == 404
    assert response.json()["code"] == "order_not_found"


def test_idempotency_key_replays_and_rejects_a_different_body(cashfree: CashfreeClient) -> None:
    key = {"x-idempotency-key": uuid.uuid4().hex}
    body = cashfree.order_body()
    first = cashfree.call("POST", "/orders", json=body, headers=key)
    replay = cashfree.call("POST", "/orders", json=body, headers=key)
    assert first.status_code == replay.status_code == 200
    assert replay.json() == first.json()
    assert replay.headers["x-idempotency-replayed"] == "true"
    assert "x-idempotency-replayed" not in first.headers
    mismatch = cashfree.call("POST", "/orders", json=cashfree.order_body(), headers=key)
    assert mismatch.status_code == 400
    assert mismatch.json()["code"] == "idempotency_key_mismatch"
    assert mismatch.json()["type"] == "idempotency_error"


def test_terminate_an_active_order(cashfree: CashfreeClient) -> None:
    order_id = cashfree.create_order()["order_id"]
    response = cashfree.call("PATCH", f"/orders/{order_id}", json={"order_status": "TERMINATED"})
    assert response.status_code == 200
    assert response.json()["order_status"] == "TERMINATED"
    assert cashfree.call("GET", f"/orders/{order_id}").json()["order_status"] == "TERMINATED"
    assert cashfree.sim(f"/orders/{order_id}/pay", {"outcome": "SUCCESS"}).status_code == 409


def test_a_paid_order_cannot_be_terminated(cashfree: CashfreeClient) -> None:
    order_id = cashfree.create_order()["order_id"]
    cashfree.pay(order_id, deliver=False)
    response = cashfree.call("PATCH", f"/orders/{order_id}", json={"order_status": "TERMINATED"})
    assert response.status_code == 400
    assert response.json()["code"] == "order_terminate_failed"
    assert response.json()["type"] == "invalid_request_error"


def test_sim_expire_and_past_expiry_time_both_expire(cashfree: CashfreeClient) -> None:
    order_id = cashfree.create_order()["order_id"]
    assert cashfree.sim(f"/orders/{order_id}/expire").json()["order_status"] == "EXPIRED"
    assert cashfree.call("GET", f"/orders/{order_id}").json()["order_status"] == "EXPIRED"
    past = cashfree.create_order(order_expiry_time="2020-01-01T10:00:00+05:30")
    assert past["order_status"] == "EXPIRED"
    failed = cashfree.sim(f"/orders/{past['order_id']}/pay", {"outcome": "SUCCESS"})
    assert failed.status_code == 409


def test_payments_is_a_json_array_of_payment_entities(cashfree: CashfreeClient) -> None:
    order_id = cashfree.create_order(499)["order_id"]
    assert cashfree.call("GET", f"/orders/{order_id}/payments").json() == []
    failed = cashfree.pay(order_id, "FAILED", deliver=False)
    paid = cashfree.pay(order_id, "SUCCESS", deliver=False)
    payments = cashfree.call("GET", f"/orders/{order_id}/payments").json()
    assert isinstance(payments, list)
    assert [p["cf_payment_id"] for p in payments] == [
        failed["cf_payment_id"],
        paid["cf_payment_id"],
    ]
    success = payments[1]
    assert success["entity"] == "payment"
    assert success["payment_status"] == "SUCCESS"
    assert success["payment_amount"] == success["order_amount"] == 499
    assert success["payment_group"] == "upi"
    assert success["payment_method"] == {
        "upi": {"channel": "collect", "upi_id": "testsuccess@gocash"}
    }
    assert success["error_details"] is None
    assert success["is_captured"] is True
    assert success["auth_id"] is None
    assert payments[0]["error_details"]["error_code"]
    assert payments[0]["is_captured"] is False
    single = cashfree.call("GET", f"/orders/{order_id}/payments/{paid['cf_payment_id']}")
    assert single.json() == success
    assert cashfree.call("GET", f"/orders/{order_id}").json()["order_status"] == "PAID"


def test_second_success_on_a_paid_order_is_409(cashfree: CashfreeClient) -> None:
    order_id = cashfree.create_order()["order_id"]
    cashfree.pay(order_id, deliver=False)
    again = cashfree.sim(f"/orders/{order_id}/pay", {"outcome": "SUCCESS", "deliver": False})
    assert again.status_code == 409
    assert again.json()["code"] == "order_already_paid"


def test_the_requests_naming_an_order_are_listed_for_tests(cashfree: CashfreeClient) -> None:
    order_id = cashfree.create_order()["order_id"]
    cashfree.call("GET", f"/orders/{order_id}")
    cashfree.call("GET", f"/orders/{order_id}/payments")
    cashfree.call("GET", f"/orders/{order_id}", headers={"x-client-secret": "wrong"})
    cashfree.call("GET", "/orders/someone-elses")

    listed = requests.get(
        f"{cashfree.base_url}/pg/sim/orders/{order_id}/requests", timeout=10
    ).json()

    assert [(r["method"], r["path"]) for r in listed] == [
        ("GET", f"/pg/orders/{order_id}"),
        ("GET", f"/pg/orders/{order_id}/payments"),
        ("GET", f"/pg/orders/{order_id}"),
    ]
    assert all(datetime.fromisoformat(r["at"]) for r in listed)
