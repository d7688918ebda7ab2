"""Cashfree webhooks: raw two-decimal bodies, SDK-verifiable signatures, retries and replays."""

from __future__ import annotations

import json
import socket
import time

import pytest
import requests
from cashfree_pg.api_client import Cashfree

from standins.tests.conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    RETRY_SECONDS,
    CashfreeClient,
    WebhookReceiver,
    wait_until,
)


def sdk() -> Cashfree:
    return Cashfree(XEnvironment=Cashfree.SANDBOX, XClientId=CLIENT_ID, XClientSecret=CLIENT_SECRET)


def test_success_webhook_has_two_decimal_amounts_and_a_valid_signature(
    cashfree: CashfreeClient, receiver: WebhookReceiver
) -> None:
    order = cashfree.create_order(499, order_tags={"course": "c1"})
    result = cashfree.pay(order["order_id"])
    assert result["payment_status"] == "SUCCESS"
    assert result["delivered"] == 200
    [hook] = receiver.hits(order["order_id"])
    assert '"order_amount":499.00' in hook.text
    assert '"payment_amount":499.00' in hook.text
    headers = {name.lower(): value for name, value in hook.headers.items()}
    assert headers["content-type"] == "application/json"
    assert headers["x-webhook-version"] == "2023-08-01"
    assert headers["x-webhook-attempt"] == "1"
    assert headers["x-webhook-timestamp"].isdigit()
    assert len(headers["x-webhook-timestamp"]) == 13

    event = sdk().PGVerifyWebhookSignature(
        headers["x-webhook-signature"], hook.text, headers["x-webhook-timestamp"]
    )
    assert event.type == "PAYMENT_SUCCESS_WEBHOOK"
    data = event.object["data"]
    assert data["order"] == {
        "order_id": order["order_id"],
        "order_amount": 499,
        "order_currency": "INR",
        "order_tags": {"course": "c1"},
    }
    assert data["payment"]["cf_payment_id"] == result["cf_payment_id"]
    assert data["payment"]["payment_status"] == "SUCCESS"
    assert data["payment"]["payment_group"] == "upi"
    assert data["payment"]["auth_id"] is None
    assert data["customer_details"]["customer_id"] == "user_42"
    assert data["payment_gateway_details"]["gateway_name"] == "CASHFREE"
    assert data["payment_offers"] is None
    assert "error_details" not in data
    assert event.object["event_time"].endswith("+05:30")

    tampered = hook.text.replace("499.00", "1.00")
    with pytest.raises(Exception, match="did not match"):
        sdk().PGVerifyWebhookSignature(
            headers["x-webhook-signature"], tampered, headers["x-webhook-timestamp"]
        )


def test_fractional_amounts_keep_two_decimals(
    cashfree: CashfreeClient, receiver: WebhookReceiver
) -> None:
    order_id = cashfree.create_order(10.5)["order_id"]
    cashfree.pay(order_id)
    assert '"order_amount":10.50' in receiver.hits(order_id)[0].text


@pytest.mark.parametrize("outcome", ["FAILED", "USER_DROPPED"])
def test_unsuccessful_attempts_send_their_webhook_with_error_details(
    cashfree: CashfreeClient, receiver: WebhookReceiver, outcome: str
) -> None:
    order_id = cashfree.create_order()["order_id"]
    result = cashfree.pay(order_id, outcome)
    assert result["payment_status"] == outcome
    payload = json.loads(receiver.hits(order_id)[0].raw)
    assert payload["type"] == f"PAYMENT_{outcome}_WEBHOOK"
    assert payload["data"]["payment"]["payment_status"] == outcome
    assert set(payload["data"]["error_details"]) >= {
        "error_code",
        "error_description",
        "error_reason",
        "error_source",
    }
    order = cashfree.call("GET", f"/orders/{order_id}").json()
    assert order["order_status"] == "ACTIVE"


def test_deliver_false_sends_nothing(cashfree: CashfreeClient, receiver: WebhookReceiver) -> None:
    order_id = cashfree.create_order()["order_id"]
    result = cashfree.pay(order_id, deliver=False)
    assert result["delivered"] is None
    assert cashfree.call("GET", f"/orders/{order_id}").json()["order_status"] == "PAID"
    response = requests.get(
        f"{cashfree.base_url}/pg/sim/webhooks", params={"order_id": order_id}, timeout=5
    )
    assert response.json() == []
    assert receiver.hits(order_id) == []


def test_non_200_is_retried_with_the_same_body(
    cashfree: CashfreeClient, receiver: WebhookReceiver
) -> None:
    order_id = cashfree.create_order()["order_id"]
    receiver.fail_next(order_id, 2)
    assert cashfree.pay(order_id)["delivered"] == 500
    hits = receiver.wait_for(order_id, 3)
    assert {hit.raw for hit in hits} == {hits[0].raw}
    assert [hit.headers["X-Webhook-Attempt"] for hit in hits] == ["1", "2", "3"]
    for hit in hits:
        sdk().PGVerifyWebhookSignature(
            hit.headers["X-Webhook-Signature"], hit.text, hit.headers["X-Webhook-Timestamp"]
        )
    log_url = f"{cashfree.base_url}/pg/sim/webhooks"
    wait_until(
        lambda: len(requests.get(log_url, params={"order_id": order_id}, timeout=5).json()) == 3
    )
    log = requests.get(log_url, params={"order_id": order_id}, timeout=5).json()
    assert [(a["attempt"], a["status"]) for a in log] == [(1, 500), (2, 500), (3, 200)]
    assert {a["type"] for a in log} == {"PAYMENT_SUCCESS_WEBHOOK"}


def test_retries_stop_after_the_configured_schedule(
    cashfree: CashfreeClient, receiver: WebhookReceiver
) -> None:
    order_id = cashfree.create_order()["order_id"]
    receiver.fail_next(order_id, 100)
    cashfree.pay(order_id, "FAILED")
    attempts = 1 + len(RETRY_SECONDS)
    receiver.wait_for(order_id, attempts)
    time.sleep(max(RETRY_SECONDS) + 0.3)
    assert len(receiver.hits(order_id)) == attempts


def test_unreachable_endpoint_reports_null_and_is_retried(cashfree: CashfreeClient) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    order = cashfree.create_order(
        order_meta={"notify_url": f"http://127.0.0.1:{closed_port}/webhook"}
    )
    assert cashfree.pay(order["order_id"])["delivered"] is None
    log_url = f"{cashfree.base_url}/pg/sim/webhooks"
    wait_until(
        lambda: (
            len(requests.get(log_url, params={"order_id": order["order_id"]}, timeout=5).json())
            == 1 + len(RETRY_SECONDS)
        )
    )


def test_webhooks_default_to_the_configured_url(
    cashfree: CashfreeClient, receiver: WebhookReceiver
) -> None:
    order = cashfree.create_order(order_meta={})
    before = len(receiver.hits("default"))
    cashfree.pay(order["order_id"])
    assert order["order_id"] in receiver.hits("default")[before:][-1].text


def test_redeliver_resends_the_same_bytes_and_signature(
    cashfree: CashfreeClient, receiver: WebhookReceiver
) -> None:
    order_id = cashfree.create_order()["order_id"]
    assert cashfree.sim(f"/orders/{order_id}/redeliver").status_code == 404
    cashfree.pay(order_id)
    replay = cashfree.sim(f"/orders/{order_id}/redeliver")
    assert replay.status_code == 200
    assert replay.json()["attempt"] == 2
    assert replay.json()["status"] == 200
    first, second = receiver.hits(order_id)
    assert second.raw == first.raw
    assert second.headers["X-Webhook-Signature"] == first.headers["X-Webhook-Signature"]
    assert second.headers["X-Webhook-Timestamp"] == first.headers["X-Webhook-Timestamp"]
    assert second.headers["X-Webhook-Attempt"] == "2"
