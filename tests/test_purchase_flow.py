"""End to end through the gateway: a paid course turns into an enrollment, once."""

from __future__ import annotations

from tests.helpers import Api, eventually


def test_student_pays_and_is_enrolled(api: Api) -> None:
    teacher = api.onboard("teacher", name="Tina Teacher")
    course = api.published_course(teacher)
    assert course["status"] == "Published" and course["teacherName"] == "Tina Teacher"

    catalog = api.call("GET", "/courses").json()["data"]
    assert course["courseId"] in [c["courseId"] for c in catalog]
    own = api.call("GET", "/courses/teacher", teacher).json()["data"]
    assert [c["courseId"] for c in own] == [course["courseId"]]

    student = api.onboard("student", name="Sam Student")
    order = api.create_order(student, course["courseId"])
    assert order["order_status"] == "ACTIVE" and order["payment_session_id"].startswith("session_")
    assert str(order["order_amount"]) in ("499", "499.0", "499.00")
    again = api.create_order(student, course["courseId"])
    assert again["order_id"] == order["order_id"], "an open order is reused, not duplicated"

    checkout = api.session.get(f"{api.standins}/checkout/{order['payment_session_id']}", timeout=10)
    assert checkout.status_code == 200 and order["order_id"] in checkout.text

    paid = api.pay(order["order_id"])
    assert paid["delivered"] == 200

    assert eventually(lambda: api.order_status(student, order["order_id"]) == "SUCCESS")
    enrolled = eventually(lambda: api.enrolled_courses(student))
    assert [(c["courseId"], c["overallProgress"]) for c in enrolled] == [(course["courseId"], 0)]
    assert enrolled[0]["title"] == course["title"]

    progress = api.call(
        "GET", f"/users/course-progress/{student.user_id}/courses/{course['courseId']}", student
    )
    assert progress.status_code == 200
    assert progress.json()["data"]["overallProgress"] == 0
    assert len(progress.json()["data"]["sections"][0]["chapters"]) == 2

    [txn] = api.transactions(student)
    assert (txn["transactionId"], txn["status"], txn["amount"]) == (
        order["order_id"],
        "SUCCESS",
        49900,
    )

    repeat = api.call(
        "POST", "/api/payments/create-order", student, json={"courseId": course["courseId"]}
    )
    assert repeat.status_code == 409
    assert repeat.json()["error"]["code"] == "already_enrolled"
    count = api.call("GET", f"/courses/{course['courseId']}")
    assert eventually(
        lambda: (
            api.call("GET", f"/courses/{course['courseId']}").json()["data"]["enrollmentCount"] == 1
        )
    )
    assert count.status_code == 200


def test_free_course_enrolls_without_cashfree(api: Api) -> None:
    teacher = api.onboard("teacher")
    course = api.published_course(teacher, price=0)
    student = api.onboard("student")
    order = api.create_order(student, course["courseId"])
    assert order["order_status"] == "PAID"
    enrolled = eventually(lambda: api.enrolled_courses(student))
    assert enrolled[0]["courseId"] == course["courseId"]


def test_drafts_never_reach_the_catalog(api: Api) -> None:
    teacher = api.onboard("teacher")
    draft = api.call("POST", "/courses", teacher).json()["data"]
    listed = [c["courseId"] for c in api.call("GET", "/courses?limit=100").json()["data"]]
    assert draft["courseId"] not in listed
    assert api.call("GET", f"/courses/{draft['courseId']}").status_code == 404
    assert api.call("GET", f"/courses/{draft['courseId']}", teacher).status_code == 200
    student = api.onboard("student")
    refused = api.call(
        "POST", "/api/payments/create-order", student, json={"courseId": draft["courseId"]}
    )
    assert refused.status_code == 404
