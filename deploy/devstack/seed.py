"""`make seed`: demo data in a running stack, through the public API as the frontend would send it.

Two teachers with published courses (real sample videos and thumbnails), two students (one who
paid through the Cashfree simulator, one on a free course), availability, and a booked session.
Users have fixed ids, and what exists already is kept, so seeding twice adds nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from shared.config import LOCAL_STANDINS, SERVICE_PORTS

SAMPLES = Path(__file__).resolve().parents[2] / "tests" / "fixtures"
WAIT_SECONDS = 30.0


@dataclass(frozen=True)
class DemoCourse:
    title: str
    description: str
    category: str
    level: str
    price: int
    chapters: tuple[tuple[str, str], ...]
    """(type, title) pairs; the first Video chapter is a free preview."""


@dataclass(frozen=True)
class DemoUser:
    user_id: str
    name: str
    role: str
    courses: tuple[DemoCourse, ...] = ()


TEACHERS = (
    DemoUser(
        "user_demo_maya",
        "Maya Raman",
        "teacher",
        (
            DemoCourse(
                "Python for Data Engineering",
                "Pipelines, idempotent jobs and the tests that keep them honest.",
                "Programming",
                "Intermediate",
                49900,
                (("Video", "Welcome and setup"), ("Video", "Idempotent jobs"), ("Quiz", "Check")),
            ),
            DemoCourse(
                "SQL in a Week",
                "From SELECT to window functions, one evening at a time.",
                "Data",
                "Beginner",
                0,
                (("Video", "Your first query"), ("Text", "Cheat sheet")),
            ),
        ),
    ),
    DemoUser(
        "user_demo_omar",
        "Omar Haddad",
        "teacher",
        (
            DemoCourse(
                "Product Design Foundations",
                "Research, sketches and critique for people who ship.",
                "Design",
                "Beginner",
                29900,
                (("Video", "What designers do"), ("Video", "Critique that helps")),
            ),
        ),
    ),
)
STUDENTS = (
    DemoUser("user_demo_sam", "Sam Fernandes", "student"),
    DemoUser("user_demo_priya", "Priya Nair", "student"),
)


@dataclass
class Seeder:
    gateway: str
    standins: str
    http: requests.Session = field(default_factory=requests.Session)
    report: dict[str, Any] = field(default_factory=dict)

    def auth(self, user: DemoUser) -> dict[str, str]:
        """A dev session token; the role is chosen once, as the onboarding screen does."""
        headers = self._token(user)
        onboarding = self.call("POST", "/users/onboarding", headers, json={"userType": user.role})
        if onboarding.status_code not in (200, 409):
            raise SeedError(f"onboarding {user.user_id}: {onboarding.text}")
        return self._token(user) if onboarding.status_code == 200 else headers

    def _token(self, user: DemoUser) -> dict[str, str]:
        email = f"{user.user_id.removeprefix('user_demo_')}@demo.prolearn.test"
        body = {"sub": user.user_id, "name": user.name, "email": email}
        response = self.http.post(f"{self.standins}/idp/dev/token", json=body, timeout=10)
        response.raise_for_status()
        return {"Authorization": f"Bearer {response.json()['token']}"}

    def call(
        self, method: str, path: str, headers: dict[str, str] | None = None, **kw: Any
    ) -> requests.Response:
        return self.http.request(method, self.gateway + path, headers=headers, timeout=30, **kw)

    def data(self, response: requests.Response, what: str) -> Any:
        if response.status_code >= 400:
            raise SeedError(f"{what}: {response.status_code} {response.text}")
        return response.json()["data"]

    def teacher_courses(self, teacher: DemoUser, headers: dict[str, str]) -> dict[str, str]:
        """The teacher's published courses by title, creating the missing ones."""
        own = self.data(self.call("GET", "/courses/teacher", headers), "own courses")
        titles = {c["title"]: c["courseId"] for c in own if c["status"] == "Published"}
        for course in teacher.courses:
            if course.title not in titles:
                titles[course.title] = self.publish(teacher, headers, course)
        return titles

    def publish(self, teacher: DemoUser, headers: dict[str, str], course: DemoCourse) -> str:
        """A draft, its videos uploaded straight to S3, then the editor's multipart save."""
        draft = self.call("POST", "/courses", headers, json={"teacherId": teacher.user_id})
        course_id: str = self.data(draft, "draft")["courseId"]
        chapters = []
        for number, (kind, title) in enumerate(course.chapters, start=1):
            chapter: dict[str, Any] = {"chapterId": f"c{number}", "type": kind, "title": title}
            if kind == "Video":
                chapter["video"] = self.upload(headers, course_id, f"c{number}")
                chapter["freePreview"] = number == 1
            else:
                chapter["content"] = f"{title}: notes for this part of the course."
            chapters.append(chapter)
        fields = {
            "title": course.title,
            "description": course.description,
            "category": course.category,
            "level": course.level,
            "price": str(course.price),
            "status": "Published",
            "sections": json.dumps(
                [{"sectionId": "s1", "sectionTitle": "Getting started", "chapters": chapters}]
            ),
        }
        parts: dict[str, Any] = {name: (None, value) for name, value in fields.items()}
        parts["image"] = ("cover.png", (SAMPLES / "thumbnail.png").read_bytes(), "image/png")
        self.data(self.call("PUT", f"/courses/{course_id}", headers, files=parts), "publish")
        return course_id

    def upload(self, headers: dict[str, str], course_id: str, chapter_id: str) -> str:
        path = f"/courses/{course_id}/sections/s1/chapters/{chapter_id}/get-upload-url"
        body = {"fileName": "lesson.mp4", "fileType": "video/mp4"}
        urls = self.data(self.call("POST", path, headers, json=body), "upload url")
        video = (SAMPLES / "lesson.mp4").read_bytes()
        put = self.http.put(
            urls["uploadUrl"], data=video, headers={"Content-Type": "video/mp4"}, timeout=30
        )
        put.raise_for_status()
        return str(urls["videoUrl"])

    def enroll(self, student: DemoUser, headers: dict[str, str], course_id: str) -> str:
        """Buy the course as a student does (a free one enrolls at once); 'owned' if done."""
        body = {"courseId": course_id}
        order = self.call("POST", "/api/payments/create-order", headers, json=body)
        if order.status_code == 409:
            return "owned"
        created = self.data(order, "create order")
        if created.get("order_status") == "PAID":
            return "enrolled (free)"
        order_id = created["order_id"]
        paid = self.http.post(
            f"{self.standins}/pg/sim/orders/{order_id}/pay", json={"outcome": "SUCCESS"}, timeout=30
        )
        paid.raise_for_status()
        status_path = f"/api/payments/order-status/{student.user_id}/{order_id}"
        self.wait(
            lambda: self.call("GET", status_path, headers).json()["data"]["status"] == "SUCCESS",
            f"payment of {order_id}",
        )
        return f"paid ({order_id})"

    def open_availability(self, headers: dict[str, str]) -> None:
        weekly = [{"day": day, "start": "08:00", "end": "20:00"} for day in range(7)]
        body = {
            "timezone": "Asia/Kolkata",
            "weekly": weekly,
            "slotMinutes": 30,
            "bufferMinutes": 0,
            "minNoticeHours": 2,
            "maxDaysAhead": 30,
            "exceptions": [],
        }
        self.data(self.call("PUT", "/mentorship/availability", headers, json=body), "availability")

    def book(
        self, student: DemoUser, headers: dict[str, str], teacher: DemoUser, course_id: str
    ) -> dict[str, Any]:
        """The student's next session with the teacher, booked tomorrow or later if none is."""
        mine = self.call("GET", f"/mentorship/user/{student.user_id}?type=student", headers)
        upcoming = [s for s in self.data(mine, "sessions") if s["status"] == "scheduled"]
        if upcoming:
            session: dict[str, Any] = upcoming[0]
            return session
        begin = datetime.now(UTC) + timedelta(days=1)
        window = {"from": begin.isoformat(), "to": (begin + timedelta(days=6)).isoformat()}
        slots_path = f"/mentorship/availability/{teacher.user_id}/slots"

        def free_slots() -> list[dict[str, str]]:
            params = {**window, "courseId": course_id}
            found: list[dict[str, str]] = self.data(
                self.call("GET", slots_path, headers, params=params), "slots"
            )
            return found

        self.wait(lambda: bool(free_slots()), "the teacher's free slots")
        body = {
            "teacherId": teacher.user_id,
            "courseId": course_id,
            "date": free_slots()[0]["start"],
        }
        booked: dict[str, Any] = self.data(
            self.call("POST", "/mentorship", headers, json=body), "booking"
        )
        return booked

    def wait(self, probe: Any, what: str) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            if probe():
                return
            time.sleep(0.3)
        raise SeedError(f"gave up waiting for {what}")

    def run(self) -> dict[str, Any]:
        maya = TEACHERS[0]
        sam, priya = STUDENTS
        teacher_headers = {t.user_id: self.auth(t) for t in TEACHERS}
        courses = {t.user_id: self.teacher_courses(t, teacher_headers[t.user_id]) for t in TEACHERS}
        self.open_availability(teacher_headers[maya.user_id])
        sam_headers, priya_headers = self.auth(sam), self.auth(priya)
        python_course = courses[maya.user_id]["Python for Data Engineering"]
        sql_course = courses[maya.user_id]["SQL in a Week"]
        self.report = {
            "courses": courses,
            "enrollments": {
                sam.user_id: self.enroll(sam, sam_headers, python_course),
                priya.user_id: self.enroll(priya, priya_headers, sql_course),
            },
        }
        session = self.book(sam, sam_headers, maya, python_course)
        self.report["session"] = {k: session[k] for k in ("sessionId", "date", "status")}
        self.report["users"] = [u.user_id for u in (*TEACHERS, *STUDENTS)]
        return self.report


class SeedError(Exception):
    """The running stack refused a step of the demo data."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.seed", description=__doc__)
    parser.add_argument("--gateway", default=f"http://127.0.0.1:{SERVICE_PORTS['gateway']}")
    parser.add_argument("--standins", default=LOCAL_STANDINS)
    args = parser.parse_args(argv)
    try:
        report = Seeder(args.gateway.rstrip("/"), args.standins.rstrip("/")).run()
    except (SeedError, requests.RequestException) as exc:
        print(f"seed failed: {exc} (is `make run` up?)", file=sys.stderr)
        return 1
    print(json.dumps(report, indent=2))
    print(
        "Sign in as any of these users with a dev token: "
        f'POST {args.standins}/idp/dev/token {{"sub": "user_demo_sam"}}'
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
