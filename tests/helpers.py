"""Talk to a running stack the way the frontend and Cashfree do: over HTTP only."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import requests

T = TypeVar("T")


def eventually(probe: Callable[[], T | None], timeout: float = 15.0, every: float = 0.1) -> T:
    """Poll until probe returns something truthy; fail with the last value otherwise."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(every)
    raise AssertionError(f"condition not met within {timeout}s (last: {last!r})")


@dataclass
class User:
    user_id: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Api:
    gateway: str
    standins: str
    session: requests.Session

    def call(
        self, method: str, path: str, user: User | None = None, **kw: Any
    ) -> requests.Response:
        headers = {**(user.auth if user else {}), **kw.pop("headers", {})}
        return self.session.request(method, self.gateway + path, headers=headers, timeout=20, **kw)

    def token(self, sub: str, **claims: Any) -> str:
        response = self.session.post(
            f"{self.standins}/idp/dev/token", json={"sub": sub, **claims}, timeout=10
        )
        response.raise_for_status()
        token: str = response.json()["token"]
        return token

    def onboard(self, role: str, name: str = "Dev User") -> User:
        """Sign up, choose a role, then refresh the token as the frontend's session.reload() does."""
        sub = f"user_{uuid.uuid4().hex[:16]}"
        first = User(sub, self.token(sub, name=name, email=f"{sub}@example.test"))
        response = self.call("POST", "/users/onboarding", first, json={"userType": role})
        assert response.status_code == 200, response.text
        return User(sub, self.token(sub))

    def published_course(self, teacher: User, price: int = 49900) -> dict[str, Any]:
        created = self.call("POST", "/courses", teacher, json={"teacherId": teacher.user_id})
        assert created.status_code == 201, created.text
        course_id = created.json()["data"]["courseId"]
        body = {
            "title": "Distributed Systems in Python",
            "description": "Queues, outboxes and idempotent consumers.",
            "category": "Programming",
            "price": price,
            "level": "Intermediate",
            "status": "Published",
            "sections": [
                {
                    "sectionTitle": "Foundations",
                    "chapters": [
                        {"type": "Text", "title": "Why events", "content": "…"},
                        {"type": "Quiz", "title": "Check yourself", "content": "…"},
                    ],
                }
            ],
        }
        updated = self.call("PUT", f"/courses/{course_id}", teacher, json=body)
        assert updated.status_code == 200, updated.text
        data: dict[str, Any] = updated.json()["data"]
        return data

    def create_order(self, student: User, course_id: str) -> dict[str, Any]:
        response = self.call(
            "POST", "/api/payments/create-order", student, json={"courseId": course_id}
        )
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()["data"]
        return data

    def pay(self, order_id: str, outcome: str = "SUCCESS", deliver: bool = True) -> dict[str, Any]:
        response = self.session.post(
            f"{self.standins}/pg/sim/orders/{order_id}/pay",
            json={"outcome": outcome, "deliver": deliver},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        return data

    def latest_webhook(self, order_id: str) -> dict[str, Any]:
        response = self.session.get(f"{self.standins}/pg/sim/orders/{order_id}/webhook", timeout=10)
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        return data

    def order_status(self, student: User, order_id: str) -> str:
        response = self.call(
            "GET", f"/api/payments/order-status/{student.user_id}/{order_id}", student
        )
        status: str = response.json()["data"]["status"]
        return status

    def enrolled_courses(self, student: User) -> list[dict[str, Any]]:
        path = f"/users/course-progress/{student.user_id}/enrolled-courses"
        response = self.call("GET", path, student)
        assert response.status_code == 200, response.text
        courses: list[dict[str, Any]] = response.json()["data"]
        return courses

    def transactions(self, student: User) -> list[dict[str, Any]]:
        response = self.call("GET", f"/api/payments/transactions/{student.user_id}", student)
        assert response.status_code == 200, response.text
        rows: list[dict[str, Any]] = response.json()["data"]
        return rows
