"""Talk to a running stack the way the frontend and Cashfree do: over HTTP only."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import requests

T = TypeVar("T")
FIXTURES = Path(__file__).parent / "fixtures"
LESSON_MP4 = (FIXTURES / "lesson.mp4").read_bytes()
"""A real 1 s, 64x48 H.264 test pattern (ffmpeg lavfi testsrc), 2.8 KB."""
THUMBNAIL_PNG = (FIXTURES / "thumbnail.png").read_bytes()


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

    def draft(self, teacher: User) -> str:
        created = self.call("POST", "/courses", teacher, json={"teacherId": teacher.user_id})
        assert created.status_code == 201, created.text
        course_id: str = created.json()["data"]["courseId"]
        return course_id

    def upload_url(
        self,
        teacher: User,
        course_id: str,
        section_id: str = "s1",
        chapter_id: str = "c1",
        **body: Any,
    ) -> requests.Response:
        path = f"/courses/{course_id}/sections/{section_id}/chapters/{chapter_id}/get-upload-url"
        payload = {"fileName": "lesson.mp4", "fileType": "video/mp4", **body}
        return self.call("POST", path, teacher, json=payload)

    def upload_video(
        self,
        teacher: User,
        course_id: str,
        section_id: str = "s1",
        chapter_id: str = "c1",
        data: bytes = LESSON_MP4,
        file_type: str = "video/mp4",
    ) -> str:
        """What the editor does: ask for a presigned PUT, send the file straight to S3."""
        response = self.upload_url(teacher, course_id, section_id, chapter_id, fileType=file_type)
        assert response.status_code == 200, response.text
        urls = response.json()["data"]
        put = self.session.put(
            urls["uploadUrl"], data=data, headers={"Content-Type": file_type}, timeout=20
        )
        assert put.status_code == 200, put.text
        video_url: str = urls["videoUrl"]
        return video_url

    def save_form(
        self,
        teacher: User,
        course_id: str,
        fields: dict[str, Any],
        image: tuple[str, bytes, str] | None = None,
    ) -> requests.Response:
        """PUT /courses/:id as the editor sends it: multipart, `sections` as JSON text."""
        parts: dict[str, tuple[str | None, Any] | tuple[str, bytes, str]] = {
            name: (None, json.dumps(value) if isinstance(value, list) else str(value))
            for name, value in fields.items()
        }
        if image:
            parts["image"] = image
        return self.call("PUT", f"/courses/{course_id}", teacher, files=parts)

    def video_course(self, teacher: User, price: int = 9900) -> str:
        """A published course of two uploaded videos, `v1` a free preview, `v2` locked; returns
        once its card reached enrollment (the owner can stream the locked chapter)."""
        course_id = self.draft(teacher)
        chapters = []
        for chapter_id, preview in (("v1", True), ("v2", False)):
            video = self.upload_video(teacher, course_id, "s1", chapter_id)
            chapters.append(
                {"chapterId": chapter_id, "type": "Video", "title": chapter_id, "video": video,
                 "freePreview": preview}
            )  # fmt: skip
        fields = {
            "title": "Watching closely",
            "category": "Film",
            "price": str(price),
            "status": "Published",
            "sections": [{"sectionId": "s1", "sectionTitle": "All", "chapters": chapters}],
        }
        assert self.save_form(teacher, course_id, fields).status_code == 200
        eventually(lambda: self.stream(teacher, course_id, "v2").status_code == 200)
        return course_id

    def listed(self, **params: Any) -> list[str]:
        response = self.call("GET", "/courses", params={"limit": 100, **params})
        assert response.status_code == 200, response.text
        return [c["courseId"] for c in response.json()["data"]]

    def published_course(
        self, teacher: User, price: int = 49900, title: str = "Distributed Systems in Python"
    ) -> dict[str, Any]:
        course_id = self.draft(teacher)
        body = {
            "title": title,
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

    def stream(self, viewer: User | None, course_id: str, chapter_id: str) -> requests.Response:
        return self.call("GET", f"/courses/{course_id}/chapters/{chapter_id}/stream", viewer)

    def report(
        self, student: User, course_id: str, section_id: str, chapters: list[dict[str, Any]]
    ) -> requests.Response:
        """A progress PUT as the player sends it."""
        body = {"sections": [{"sectionId": section_id, "chapters": chapters}]}
        path = f"/users/course-progress/{student.user_id}/courses/{course_id}"
        return self.call("PUT", path, student, json=body)

    def enrolled_student(self, course_id: str) -> User:
        """A student enrolled in a free course (create-order enrolls at once)."""
        student = self.onboard("student")
        order = self.create_order(student, course_id)
        assert order["order_status"] == "PAID"
        return student
