"""The units of work the cost harness measures, each as `run_one(i)` plus what to wait for."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import redis

from bench.booking import Mentor
from bench.webhooks import Shop
from shared.events.subscriptions import SUBSCRIPTIONS, queue_name

Auth = dict[str, str]


def wait_for(probe: Callable[[], bool], timeout: float = 30.0, every: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while not probe():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{probe} still false after {timeout:.0f}s")
        time.sleep(every)


def queues_empty(redis_url: str) -> Callable[[], None]:
    """A `settle`: wait until every consumer's queue is empty."""
    client = redis.Redis.from_url(redis_url)
    consumers = sorted({s for subscribers in SUBSCRIPTIONS.values() for s in subscribers})

    def settle() -> None:
        wait_for(lambda: sum(client.llen(queue_name(s)) for s in consumers) == 0, every=0.2)

    return settle


class Student:
    """A signed-in student with an address the receipt goes to."""

    def __init__(self, shop: Shop) -> None:
        self.shop = shop
        self.user_id = f"user_s{uuid.uuid4().hex[:12]}"
        self.email = f"{self.user_id}@bench.test"
        answer = shop.http.post(
            f"{shop.standins}/idp/dev/token",
            json={"sub": self.user_id, "role": "student", "email": self.email},
            timeout=10,
        )
        answer.raise_for_status()
        self.auth: Auth = {"Authorization": f"Bearer {answer.json()['token']}"}

    def call(self, method: str, path: str, **kw: Any) -> Any:
        answer = self.shop.http.request(
            method, self.shop.gateway + path, headers=self.auth, timeout=30, **kw
        )
        answer.raise_for_status()
        return answer.json()["data"]

    def enrolled_in(self, course_id: str) -> bool:
        path = f"/users/course-progress/{self.user_id}/enrolled-courses"
        return any(c["courseId"] == course_id for c in self.call("GET", path))

    def has_receipt(self) -> bool:
        answer = self.shop.http.get(
            f"{self.shop.standins}/resend/emails", params={"to": self.email}, timeout=10
        )
        return any("receipt" in m["subject"].lower() for m in answer.json()["data"])


def purchase(shop: Shop, course_id: str) -> Callable[[int], None]:
    """Create the order, pay at the simulator (it posts the webhook), poll until the course is
    in the student's list, have Cashfree deliver the webhook once more (at-least-once), then
    wait for the receipt mail."""

    def run_one(_: int) -> None:
        student = Student(shop)
        order = student.call("POST", "/api/payments/create-order", json={"courseId": course_id})
        sim = f"{shop.standins}/pg/sim/orders/{order['order_id']}"
        shop.http.post(f"{sim}/pay", json={"outcome": "SUCCESS"}, timeout=30).raise_for_status()
        wait_for(lambda: student.enrolled_in(course_id), every=0.2)
        shop.http.post(f"{sim}/redeliver", timeout=30).raise_for_status()
        wait_for(student.has_receipt, every=0.2)

    return run_one


def get(shop: Shop, url: str, auth: Auth | None = None) -> Callable[[int], None]:
    def run_one(_: int) -> None:
        shop.http.get(url, headers=auth or {}, timeout=30).raise_for_status()

    return run_one


def enrolled_student(shop: Shop, course_id: str) -> Student:
    """A student enrolled in a free course (create-order enrolls at once)."""
    student = Student(shop)
    student.call("POST", "/api/payments/create-order", json={"courseId": course_id})
    wait_for(lambda: student.enrolled_in(course_id), every=0.2)
    return student


def progress_update(shop: Shop, student: Student, course_id: str) -> Callable[[int], None]:
    """The player's PUT: one chapter's position, a little further each time."""
    course = student.call("GET", f"/courses/{course_id}")
    section = course["sections"][0]
    chapter_id = section["chapters"][0]["chapterId"]
    path = f"/users/course-progress/{student.user_id}/courses/{course_id}"

    def run_one(i: int) -> None:
        chapters = [{"chapterId": chapter_id, "positionSeconds": i + 1}]
        body = {"sections": [{"sectionId": section["sectionId"], "chapters": chapters}]}
        student.call("PUT", path, json=body)

    return run_one


def booking(shop: Shop, n: int) -> Callable[[int], None]:
    """One uncontended mentorship booking per run, each for the next free slot."""
    mentor = Mentor(shop)
    mentor.ready()
    starts = mentor.slots()[2 : 2 + n]

    def run_one(i: int) -> None:
        status, _ = mentor.book(mentor.students[i % len(mentor.students)], starts[i])
        if status != 201:
            raise RuntimeError(f"booking answered {status}")

    return run_one
