"""Billing's Cashfree client, run over HTTP against the Cashfree simulator."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
import requests

from billing.adapters.cashfree import CashfreeClient, CashfreeError
from shared.config import CashfreeSettings, load_settings


def settings_for(base: str, secret: str | None = None) -> CashfreeSettings:
    env = {"CASHFREE_API_URL": f"{base}/pg"}
    if secret:
        env["CASHFREE_CLIENT_SECRET"] = secret
    return load_settings("billing", env).cashfree


def new_order(order_id: str, amount: Decimal = Decimal("499.00")) -> dict[str, object]:
    return {
        "order_id": order_id,
        "order_amount": amount,
        "order_currency": "INR",
        "customer_details": {"customer_id": "user2abc", "customer_phone": "9999999999"},
    }


def test_create_is_idempotent_on_our_order_id(simulator: str) -> None:
    client = CashfreeClient(settings_for(simulator))
    order_id = f"pl_{uuid.uuid4().hex}"
    first = client.create_order(new_order(order_id))
    again = client.create_order(new_order(order_id))
    assert first["payment_session_id"].startswith("session_")
    assert again["cf_order_id"] == first["cf_order_id"]
    assert client.get_order(order_id)["order_status"] == "ACTIVE"


def test_payments_come_back_as_a_list_with_decimal_amounts(simulator: str) -> None:
    client = CashfreeClient(settings_for(simulator))
    order_id = f"pl_{uuid.uuid4().hex}"
    client.create_order(new_order(order_id))
    assert client.get_payments(order_id) == []
    requests.post(
        f"{simulator}/pg/sim/orders/{order_id}/pay",
        json={"outcome": "SUCCESS", "deliver": False},
        timeout=5,
    ).raise_for_status()
    [payment] = client.get_payments(order_id)
    assert payment["payment_status"] == "SUCCESS"
    assert payment["payment_amount"] == Decimal("499.00")
    assert client.get_order(order_id)["order_status"] == "PAID"


def test_errors_surface_cashfree_codes(simulator: str) -> None:
    with pytest.raises(CashfreeError) as caught:
        CashfreeClient(settings_for(simulator, secret="wrong")).get_order("pl_x")
    assert caught.value.status == 401
    client = CashfreeClient(settings_for(simulator))
    with pytest.raises(CashfreeError) as caught:
        client.create_order({**new_order(f"pl_{uuid.uuid4().hex}"), "order_amount": Decimal("0.5")})
    assert caught.value.status == 400
    with pytest.raises(CashfreeError) as caught:
        client.get_order("pl_missing")
    assert caught.value.status == 404


def test_terminate_stops_payments_and_a_paid_order_cannot_be_terminated(simulator: str) -> None:
    client = CashfreeClient(settings_for(simulator))
    open_id, paid_id = f"pl_{uuid.uuid4().hex}", f"pl_{uuid.uuid4().hex}"
    client.create_order(new_order(open_id))
    client.create_order(new_order(paid_id))
    requests.post(f"{simulator}/pg/sim/orders/{paid_id}/pay", json={"deliver": False}, timeout=5)
    assert client.terminate_order(open_id)["order_status"] == "TERMINATED"
    assert requests.post(f"{simulator}/pg/sim/orders/{open_id}/pay", timeout=5).status_code == 409
    with pytest.raises(CashfreeError) as caught:
        client.terminate_order(paid_id)
    assert caught.value.status == 400


def test_refunds_are_idempotent_on_our_refund_id(simulator: str) -> None:
    client = CashfreeClient(settings_for(simulator))
    order_id = f"pl_{uuid.uuid4().hex}"
    client.create_order(new_order(order_id))
    requests.post(f"{simulator}/pg/sim/orders/{order_id}/pay", json={"deliver": False}, timeout=5)
    refund = {"refund_id": "rf_1", "refund_amount": Decimal("499.00"), "refund_note": "PENDING"}
    first = client.create_refund(order_id, refund)
    again = client.create_refund(order_id, refund)
    assert (first["refund_status"], again["cf_refund_id"]) == ("PENDING", first["cf_refund_id"])
    assert client.get_refund(order_id, "rf_1")["refund_amount"] == Decimal("499.00")
