"""Refunds through the gateway and the Cashfree simulator: the rules, the webhooks in any order."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from billing.adapters.cashfree import CashfreeClient
from shared.config import load_settings
from tests.helpers import Api, User, eventually
from tests.test_webhook_reliability import post_webhook, sign


@pytest.fixture
def course(api: Api) -> dict[str, Any]:
    teacher = api.onboard("teacher")
    return {"teacher": teacher, "id": api.video_course(teacher, price=9900)}


def bought(api: Api, course_id: str) -> tuple[User, str]:
    student = api.onboard("student")
    order = api.create_order(student, course_id)
    api.pay(order["order_id"])
    # enrolled, waited for without streaming: a played paid chapter would count against a refund
    eventually(lambda: api.enrolled_courses(student))
    return student, str(order["order_id"])


def ask_refund(
    api: Api, student: User, order_id: str, reason: str = "Not what I expected"
) -> requests.Response:
    return api.call(
        "POST", "/api/payments/refunds", student, json={"orderId": order_id, "reason": reason}
    )


def refund_of(api: Api, student: User, order_id: str) -> dict[str, Any] | None:
    [row] = [r for r in api.transactions(student) if r["transactionId"] == order_id]
    refund: dict[str, Any] | None = row["refund"]
    return refund


def refund_status(api: Api, student: User, order_id: str) -> str | None:
    refund = refund_of(api, student, order_id)
    return refund["status"] if refund else None


def totals(api: Api, teacher: User) -> dict[str, Any]:
    response = api.call("GET", "/api/payments/sales/totals", teacher)
    assert response.status_code == 200, response.text
    [row] = response.json()["data"]
    return {k: row[k] for k in ("orders", "amount", "refunds", "refundedAmount", "netAmount")}


def cashfree(stack_env: dict[str, str]) -> CashfreeClient:
    """The Cashfree API as its merchant dashboard would call it."""
    return CashfreeClient(load_settings("billing", stack_env).cashfree)


def test_student_refunds_in_the_window_loses_the_stream_and_may_buy_again(
    api: Api, course: dict[str, Any]
) -> None:
    student, order_id = bought(api, course["id"])
    api.report(student, course["id"], "s1", [{"chapterId": "v1", "watchedPercent": 10}])

    response = ask_refund(api, student, order_id)
    assert response.status_code == 202, response.text
    refund = response.json()["data"]
    assert refund["refundId"].startswith("rf_") and refund["amount"] == 9900
    assert refund["status"] in ("PENDING", "SUCCESS")

    assert eventually(lambda: refund_status(api, student, order_id) == "SUCCESS")
    assert eventually(lambda: api.stream(student, course["id"], "v2").status_code == 403)
    assert api.stream(student, course["id"], "v1").status_code == 200, "the preview stays free"
    assert api.enrolled_courses(student) == []

    again = ask_refund(api, student, order_id)
    assert again.status_code == 200
    assert (again.json()["data"]["refundId"], again.json()["data"]["status"]) == (
        refund["refundId"],
        "SUCCESS",
    )
    assert totals(api, course["teacher"]) == {
        "orders": 1,
        "amount": 9900,
        "refunds": 1,
        "refundedAmount": 9900,
        "netAmount": 0,
    }
    rebuy = api.create_order(student, course["id"])
    assert rebuy["order_id"] != order_id and rebuy["payment_session_id"]

    api.pay(rebuy["order_id"])  # bought again: every read model sees the new grant as newest
    assert eventually(lambda: "video" in paid_chapter(api, student, course["id"]))
    assert eventually(
        lambda: course["id"] in (c["courseId"] for c in api.enrolled_courses(student))
    )


def paid_chapter(api: Api, student: User, course_id: str) -> dict[str, Any]:
    """The course's paid video chapter as the catalog's course page shows it to `student`."""
    response = api.call("GET", f"/courses/{course_id}", student)
    assert response.status_code == 200, response.text
    chapters = [c for s in response.json()["data"]["sections"] for c in s["chapters"]]
    [chapter] = [c for c in chapters if c["chapterId"] == "v2"]
    return chapter


def test_no_refund_past_the_progress_limit(api: Api, course: dict[str, Any]) -> None:
    student, order_id = bought(api, course["id"])
    api.report(student, course["id"], "s1", [{"chapterId": "v1", "watchedPercent": 100}])  # 50 %

    response = ask_refund(api, student, order_id)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "progress_limit_reached"
    assert error["details"] == {"overallProgress": 50, "limitPercent": 30}
    assert refund_of(api, student, order_id) is None
    assert api.stream(student, course["id"], "v2").status_code == 200


def test_refunds_of_others_unpaid_orders_and_bad_bodies_are_refused(
    api: Api, course: dict[str, Any]
) -> None:
    student, order_id = bought(api, course["id"])
    stranger = api.onboard("student")
    assert ask_refund(api, stranger, order_id).status_code == 404
    assert ask_refund(api, course["teacher"], order_id).status_code == 403
    assert api.call("POST", "/api/payments/refunds", student, json={}).status_code == 400
    spoofed = {"orderId": order_id, "userId": stranger.user_id}
    assert api.call("POST", "/api/payments/refunds", student, json=spoofed).status_code == 403

    unpaid = api.create_order(stranger, course["id"])
    response = ask_refund(api, stranger, unpaid["order_id"])
    assert (response.status_code, response.json()["error"]["code"]) == (409, "order_not_paid")

    free = api.published_course(course["teacher"], price=0)["courseId"]
    free_order = api.create_order(student, free)
    response = ask_refund(api, student, free_order["order_id"])
    assert (response.status_code, response.json()["error"]["code"]) == (409, "nothing_to_refund")
    assert refund_of(api, student, order_id) is None


def test_a_refund_cashfree_fails_keeps_access(api: Api, course: dict[str, Any]) -> None:
    student, order_id = bought(api, course["id"])
    assert ask_refund(api, student, order_id, reason="FAILED").status_code == 202  # sandbox trick
    assert eventually(lambda: refund_status(api, student, order_id) == "FAILED")
    assert api.stream(student, course["id"], "v2").status_code == 200
    assert ask_refund(api, student, order_id).json()["data"]["status"] == "FAILED"


def test_duplicate_and_reordered_refund_webhooks_change_nothing_more(
    api: Api, course: dict[str, Any], stack_env: dict[str, str]
) -> None:
    student, order_id = bought(api, course["id"])
    assert ask_refund(api, student, order_id).status_code == 202
    assert eventually(lambda: refund_status(api, student, order_id) == "SUCCESS")
    success = api.latest_webhook(order_id)
    assert json.loads(success["body"])["type"] == "REFUND_STATUS_WEBHOOK"

    late_pending = json.loads(success["body"])
    late_pending["data"]["refund"]["refund_status"] = "PENDING"
    for body in (success["body"], json.dumps(late_pending), success["body"]):
        response = post_webhook(api, body, sign(stack_env["CASHFREE_CLIENT_SECRET"], body))
        assert response.status_code == 200, response.text
        assert response.json()["data"]["outcome"] == "SUCCESS"
    assert refund_status(api, student, order_id) == "SUCCESS"
    assert totals(api, course["teacher"])["refunds"] == 1
    assert api.stream(student, course["id"], "v2").status_code == 403


def test_a_refund_webhook_before_the_payment_webhook(
    api: Api, course: dict[str, Any], stack_env: dict[str, str]
) -> None:
    student = api.onboard("student")
    order_id = api.create_order(student, course["id"])["order_id"]
    api.pay(order_id, deliver=False)  # the payment webhook is lost…
    refund = cashfree(stack_env).create_refund(  # …and an operator refunds from the dashboard
        order_id, {"refund_id": "dashboard_1", "refund_amount": 99.0, "refund_note": "goodwill"}
    )
    assert refund["refund_status"] == "PENDING"

    def settled() -> dict[str, Any] | None:
        """The refund is recorded first; the payment it revealed is applied right after."""
        [row] = api.transactions(student)
        done = row["status"] == "SUCCESS" and (row["refund"] or {}).get("status") == "SUCCESS"
        return row if done else None

    row = eventually(settled)
    assert (row["refund"]["refundId"], row["refund"]["kind"]) == ("dashboard_1", "provider")
    assert eventually(lambda: totals(api, course["teacher"])["netAmount"] == 0)
    # enrollment applies both events on its own time (a retry among them is due seconds later)
    assert eventually(lambda: api.enrolled_courses(student) == [])
    assert api.stream(student, course["id"], "v2").status_code == 403


def test_the_reconciler_enrolls_a_paid_order_whose_webhooks_were_all_lost(
    api: Api, course: dict[str, Any]
) -> None:
    student = api.onboard("student")
    order_id = api.create_order(student, course["id"])["order_id"]
    api.pay(order_id, deliver=False)
    # nobody asks for the order's status: the relay's reconciler finds it on its own
    assert eventually(lambda: api.stream(student, course["id"], "v2").status_code == 200, 30)
    assert [r["status"] for r in api.transactions(student)] == ["SUCCESS"]


def test_the_reconciler_fails_an_expired_order(api: Api, course: dict[str, Any]) -> None:
    student = api.onboard("student")
    order_id = api.create_order(student, course["id"])["order_id"]
    expired = api.session.post(f"{api.standins}/pg/sim/orders/{order_id}/expire", timeout=10)
    assert expired.status_code == 200
    assert eventually(lambda: api.transactions(student)[0]["status"] == "FAILED", 30)


def reprice(api: Api, teacher: User, course_id: str, price: int) -> None:
    response = api.call("PUT", f"/courses/{course_id}", teacher, json={"price": price})
    assert response.status_code == 200, response.text


def test_a_new_order_terminates_the_one_it_replaces(
    api: Api, course: dict[str, Any], stack_env: dict[str, str]
) -> None:
    student = api.onboard("student")
    first = api.create_order(student, course["id"])["order_id"]
    reprice(api, course["teacher"], course["id"], 12900)
    second = api.create_order(student, course["id"])["order_id"]
    assert second != first
    assert cashfree(stack_env).get_order(first)["order_status"] == "TERMINATED"
    statuses = {r["transactionId"]: r["status"] for r in api.transactions(student)}
    assert statuses == {first: "FAILED", second: "PENDING"}
    paying_the_old = api.session.post(f"{api.standins}/pg/sim/orders/{first}/pay", timeout=10)
    assert paying_the_old.status_code == 409


def test_an_order_paid_unseen_is_found_before_a_second_one_is_made(
    api: Api, course: dict[str, Any]
) -> None:
    student = api.onboard("student")
    first = api.create_order(student, course["id"])["order_id"]
    api.pay(first, deliver=False)
    reprice(api, course["teacher"], course["id"], 12900)
    response = api.call(
        "POST", "/api/payments/create-order", student, json={"courseId": course["id"]}
    )
    assert (response.status_code, response.json()["error"]["code"]) == (409, "already_enrolled")
    assert [(r["transactionId"], r["status"]) for r in api.transactions(student)] == [
        (first, "SUCCESS")
    ]
