"""Teachers see the sales of their own courses only, newest first, with totals per course."""

from __future__ import annotations

from typing import Any

from tests.helpers import Api, User, eventually


def buy(api: Api, student: User, course_id: str) -> str:
    order = api.create_order(student, course_id)
    api.pay(order["order_id"])
    eventually(lambda: api.order_status(student, order["order_id"]) == "SUCCESS")
    return str(order["order_id"])


def sales(api: Api, teacher: User, path: str = "/api/payments/sales") -> list[dict[str, Any]]:
    response = api.call("GET", path, teacher)
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def test_a_teacher_sees_only_their_own_sales_newest_first_with_totals(api: Api) -> None:
    maya, omar = api.onboard("teacher"), api.onboard("teacher")
    python = api.published_course(maya, price=49900)["courseId"]
    rust = api.published_course(maya, price=29900)["courseId"]
    other = api.published_course(omar, price=19900)["courseId"]
    first, second = api.onboard("student"), api.onboard("student")
    orders = [buy(api, first, python), buy(api, second, python), buy(api, first, rust)]
    omars = buy(api, second, other)

    mine = sales(api, maya)
    assert sorted(s["transactionId"] for s in mine) == sorted(orders)
    times = [s["dateTime"] for s in mine]
    assert times == sorted(times, reverse=True) and all(t.endswith("Z") for t in times), times
    assert {s["courseId"] for s in mine} == {python, rust}
    assert all(s["status"] == "SUCCESS" and s["currency"] == "INR" for s in mine)
    totals = {
        t["courseId"]: (t["orders"], t["amount"])
        for t in sales(api, maya, "/api/payments/sales/totals")
    }
    assert totals == {python: (2, 99800), rust: (1, 29900)}

    assert [s["transactionId"] for s in sales(api, omar)] == [omars]
    assert [t["amount"] for t in sales(api, omar, "/api/payments/sales/totals")] == [19900]
    assert api.call("GET", "/api/payments/sales", first).status_code == 403
