"""Webhooks that arrive many times, forged, tampered or for nobody change nothing extra."""

from __future__ import annotations

import base64
import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from bench.webhooks import signed_headers as sign
from tests.helpers import Api, User, eventually


def post_webhook(api: Api, body: str, headers: dict[str, str]) -> requests.Response:
    return requests.post(
        f"{api.gateway}/api/payments/webhook", data=body.encode(), headers=headers, timeout=20
    )


def bought(api: Api) -> tuple[User, dict[str, Any], dict[str, Any]]:
    teacher = api.onboard("teacher")
    course = api.published_course(teacher)
    student = api.onboard("student")
    return student, course, api.create_order(student, course["courseId"])


def assert_enrolled_once(api: Api, student: User, course_id: str, order_id: str) -> None:
    enrolled = eventually(lambda: api.enrolled_courses(student))
    time.sleep(1.0)  # let any duplicate that slipped through land before counting
    assert [c["courseId"] for c in api.enrolled_courses(student)] == [course_id]
    rows = api.transactions(student)
    assert [(r["transactionId"], r["status"]) for r in rows] == [(order_id, "SUCCESS")]
    assert enrolled


def test_same_webhook_twenty_times_concurrently(api: Api) -> None:
    student, course, order = bought(api)
    assert api.pay(order["order_id"])["delivered"] == 200
    webhook = api.latest_webhook(order["order_id"])
    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(
            pool.map(lambda _: post_webhook(api, webhook["body"], webhook["headers"]), range(20))
        )
    assert {r.status_code for r in statuses} == {200}
    assert_enrolled_once(api, student, course["courseId"], order["order_id"])


def test_forged_and_tampered_webhooks_are_refused(api: Api) -> None:
    student, _course, order = bought(api)
    api.pay(order["order_id"], outcome="FAILED")
    webhook = api.latest_webhook(order["order_id"])
    success_body = (
        webhook["body"]
        .replace('"FAILED"', '"SUCCESS"')
        .replace("PAYMENT_FAILED_WEBHOOK", "PAYMENT_SUCCESS_WEBHOOK")
    )
    tampered = post_webhook(api, success_body, webhook["headers"])
    assert tampered.status_code == 401
    forged_headers = {
        **webhook["headers"],
        "x-webhook-signature": base64.b64encode(b"x" * 32).decode(),
    }
    assert post_webhook(api, webhook["body"], forged_headers).status_code == 401
    unsigned = {k: v for k, v in webhook["headers"].items() if k != "x-webhook-signature"}
    assert post_webhook(api, webhook["body"], unsigned).status_code == 401
    assert api.order_status(student, order["order_id"]) == "FAILED"
    time.sleep(1.0)
    assert api.enrolled_courses(student) == []


def test_signed_webhook_for_unknown_order_writes_nothing(
    api: Api, stack_env: dict[str, str]
) -> None:
    student, _course, _order = bought(api)
    body = json.dumps(
        {
            "data": {
                "order": {"order_id": "pl_nobody", "order_amount": 499.00, "order_currency": "INR"},
                "payment": {
                    "cf_payment_id": "1",
                    "payment_status": "SUCCESS",
                    "payment_amount": 499.00,
                },
            },
            "event_time": "2026-11-25T10:00:00+05:30",
            "type": "PAYMENT_SUCCESS_WEBHOOK",
        }
    )
    response = post_webhook(api, body, sign(stack_env["CASHFREE_CLIENT_SECRET"], body))
    assert response.status_code == 200
    assert response.json()["data"]["outcome"] == "unknown_order"
    assert [r["status"] for r in api.transactions(student)] == ["PENDING"]


def test_amount_mismatch_is_recorded_not_applied(api: Api, stack_env: dict[str, str]) -> None:
    student, _course, order = bought(api)
    body = json.dumps(
        {
            "data": {
                "order": {
                    "order_id": order["order_id"],
                    "order_amount": 1.00,
                    "order_currency": "INR",
                },
                "payment": {
                    "cf_payment_id": "77",
                    "payment_status": "SUCCESS",
                    "payment_amount": 1.00,
                },
            },
            "event_time": "2026-11-25T10:00:00+05:30",
            "type": "PAYMENT_SUCCESS_WEBHOOK",
        }
    )
    response = post_webhook(api, body, sign(stack_env["CASHFREE_CLIENT_SECRET"], body))
    assert response.status_code == 200
    assert response.json()["data"]["outcome"] == "amount_mismatch"
    assert api.order_status(student, order["order_id"]) == "PENDING"


def test_failed_then_succeeded_attempts_end_in_success(api: Api) -> None:
    student, course, order = bought(api)
    api.pay(order["order_id"], outcome="USER_DROPPED")
    assert eventually(lambda: api.order_status(student, order["order_id"]) == "FAILED")
    api.pay(order["order_id"], outcome="SUCCESS")
    assert eventually(lambda: api.order_status(student, order["order_id"]) == "SUCCESS")
    api.pay(order["order_id"], outcome="FAILED")
    assert api.order_status(student, order["order_id"]) == "SUCCESS"
    assert_enrolled_once(api, student, course["courseId"], order["order_id"])


def test_lost_webhook_is_reconciled_by_order_status(api: Api) -> None:
    student, course, order = bought(api)
    api.pay(order["order_id"], deliver=False)
    assert eventually(lambda: api.order_status(student, order["order_id"]) == "SUCCESS", timeout=20)
    assert_enrolled_once(api, student, course["courseId"], order["order_id"])
