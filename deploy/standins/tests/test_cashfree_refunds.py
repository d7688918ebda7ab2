"""Cashfree refunds: sandbox outcomes picked by refund_note, amounts, ids, REFUND_STATUS_WEBHOOK."""

from __future__ import annotations

import json
from typing import Any

import pytest

from standins.tests.conftest import CashfreeClient, WebhookReceiver


def paid_order(cashfree: CashfreeClient, amount: float = 499) -> str:
    order_id: str = cashfree.create_order(amount)["order_id"]
    cashfree.pay(order_id, deliver=False)
    return order_id


def refund(cashfree: CashfreeClient, order_id: str, **body: Any) -> Any:
    return cashfree.call("POST", f"/orders/{order_id}/refunds", json=body)


def test_refund_succeeds_by_default_and_sends_its_webhook(
    cashfree: CashfreeClient, receiver: WebhookReceiver
) -> None:
    order_id = paid_order(cashfree)
    response = refund(cashfree, order_id, refund_id="refund_1", refund_amount=199)
    assert response.status_code == 200
    created = response.json()
    assert created["refund_status"] == "PENDING"
    assert created["entity"] == "refund"
    assert created["refund_id"] == "refund_1"
    assert created["order_id"] == order_id
    assert created["refund_amount"] == 199
    assert created["cf_refund_id"].isdigit()
    assert (
        created["cf_payment_id"]
        == cashfree.call("GET", f"/orders/{order_id}/payments").json()[0]["cf_payment_id"]
    )

    settled = cashfree.call("GET", f"/orders/{order_id}/refunds/refund_1").json()
    assert settled["refund_status"] == "SUCCESS"
    assert settled["processed_at"]
    [hook] = receiver.wait_for(order_id, 1)
    assert '"refund_amount":199.00' in hook.text
    payload = json.loads(hook.raw)
    assert payload["type"] == "REFUND_STATUS_WEBHOOK"
    assert payload["data"]["refund"]["refund_status"] == "SUCCESS"
    assert payload["data"]["refund"]["refund_id"] == "refund_1"
    assert payload["event_time"].endswith("+05:30")
    assert cashfree.call("GET", f"/orders/{order_id}/refunds").json() == [settled]


@pytest.mark.parametrize("outcome", ["FAILED", "CANCELLED"])
def test_refund_note_picks_a_failing_outcome(
    cashfree: CashfreeClient, receiver: WebhookReceiver, outcome: str
) -> None:
    order_id = paid_order(cashfree)
    created = refund(
        cashfree, order_id, refund_id="refund_x", refund_amount=499, refund_note=outcome
    ).json()
    assert created["refund_status"] == "PENDING"
    [hook] = receiver.wait_for(order_id, 1)
    assert json.loads(hook.raw)["data"]["refund"]["refund_status"] == outcome
    again = refund(cashfree, order_id, refund_id="refund_y", refund_amount=499)
    assert again.status_code == 200, "a failed refund does not use up the refundable amount"


def test_pending_refund_stays_pending_without_a_webhook(
    cashfree: CashfreeClient, receiver: WebhookReceiver
) -> None:
    order_id = paid_order(cashfree)
    refund(cashfree, order_id, refund_id="refund_p", refund_amount=10, refund_note="PENDING")
    status = cashfree.call("GET", f"/orders/{order_id}/refunds/refund_p").json()["refund_status"]
    assert status == "PENDING"
    assert receiver.hits(order_id) == []


def test_refunds_cannot_exceed_the_paid_amount(cashfree: CashfreeClient) -> None:
    order_id = paid_order(cashfree, 499)
    assert refund(cashfree, order_id, refund_id="r_a", refund_amount=300).status_code == 200
    too_much = refund(cashfree, order_id, refund_id="r_b", refund_amount=200)
    assert too_much.status_code == 400
    assert too_much.json()["code"] == "refund_amount_invalid"
    assert refund(cashfree, order_id, refund_id="r_c", refund_amount=199).status_code == 200


def test_same_refund_id_returns_the_refund_or_conflicts(cashfree: CashfreeClient) -> None:
    order_id = paid_order(cashfree)
    first = refund(cashfree, order_id, refund_id="r_same", refund_amount=50).json()
    repeat = refund(cashfree, order_id, refund_id="r_same", refund_amount=50)
    assert repeat.status_code == 200
    assert repeat.json()["cf_refund_id"] == first["cf_refund_id"]
    conflict = refund(cashfree, order_id, refund_id="r_same", refund_amount=60)
    assert conflict.status_code == 409
    assert conflict.json()["code"] == "refund_already_exists"
    assert len(cashfree.call("GET", f"/orders/{order_id}/refunds").json()) == 1


def test_refund_of_an_unpaid_order_is_400(cashfree: CashfreeClient) -> None:
    order_id = cashfree.create_order()["order_id"]
    response = refund(cashfree, order_id, refund_id="r_1", refund_amount=10)
    assert response.status_code == 400
    assert response.json()["code"] == "refund_invalid"
    assert response.json()["type"] == "invalid_request_error"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"refund_amount": 10}, "refund_id_invalid"),
        ({"refund_id": "r", "refund_amount": 10}, "refund_id_invalid"),
        ({"refund_id": "r_ok", "refund_amount": -1}, "refund_amount_invalid"),
        ({"refund_id": "r_ok"}, "refund_amount_invalid"),
        ({"refund_id": "r_ok", "refund_amount": 1, "refund_speed": "FAST"}, "refund_speed_invalid"),
    ],
)
def test_invalid_refund_requests_are_400(
    cashfree: CashfreeClient, body: dict[str, Any], code: str
) -> None:
    response = refund(cashfree, paid_order(cashfree), **body)
    assert response.status_code == 400
    assert response.json()["code"] == code


def test_unknown_refund_is_404(cashfree: CashfreeClient) -> None:
    order_id = paid_order(cashfree)
    response = cashfree.call("GET", f"/orders/{order_id}/refunds/nope")
    assert response.status_code == 404
    assert response.json()["code"] == "refund_not_found"
