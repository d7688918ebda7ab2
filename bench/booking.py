"""Booking under contention: many students race for one mentorship slot, round after round."""

from __future__ import annotations

import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from bench.webhooks import Shop

ALWAYS = [{"day": day, "start": "00:00", "end": "24:00"} for day in range(7)]
STUDENTS = 10


@dataclass(frozen=True)
class BookingFigures:
    rounds: int
    contenders: int
    booked: int
    refused: int
    other: int
    created_p50_ms: float
    created_p99_ms: float
    conflict_p50_ms: float
    conflict_p99_ms: float


def _p(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


class Mentor:
    """A teacher with a free course, open all day, and students enrolled in it."""

    def __init__(self, shop: Shop) -> None:
        self.shop = shop
        self.teacher_id = f"user_t{uuid.uuid4().hex[:12]}"
        self.teacher = {"Authorization": f"Bearer {shop.token(self.teacher_id, 'teacher')}"}
        self.course_id = shop.course(price=0, auth=self.teacher)
        availability = {
            "timezone": "UTC",
            "weekly": ALWAYS,
            "slotMinutes": 15,
            "bufferMinutes": 0,
            "minNoticeHours": 0,
            "maxDaysAhead": 30,
        }
        shop.http.put(
            f"{shop.gateway}/mentorship/availability",
            headers=self.teacher,
            json=availability,
            timeout=10,
        ).raise_for_status()
        self.students = [self._enrolled_student() for _ in range(STUDENTS)]

    def _enrolled_student(self) -> dict[str, str]:
        token = self.shop.token(f"user_s{uuid.uuid4().hex[:12]}", "student")
        auth = {"Authorization": f"Bearer {token}"}
        self.shop.http.post(
            f"{self.shop.gateway}/api/payments/create-order",
            headers=auth,
            json={"courseId": self.course_id},
            timeout=10,
        ).raise_for_status()
        return auth

    def book(self, student: dict[str, str], start: str) -> tuple[int, float]:
        body = {"teacherId": self.teacher_id, "courseId": self.course_id, "date": start}
        began = time.perf_counter()
        answer = self.shop.http.post(
            f"{self.shop.gateway}/mentorship", headers=student, json=body, timeout=30
        )
        return answer.status_code, (time.perf_counter() - began) * 1000

    def ready(self, timeout: float = 30) -> None:
        """Wait until mentorship has every enrollment (a past date is then a 400, not a 403)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(self.book(s, "2020-01-01T00:00:00Z")[0] == 400 for s in self.students):
                return
            time.sleep(0.2)
        raise RuntimeError("mentorship never saw the enrollments")

    def slots(self) -> list[str]:
        answer = self.shop.http.get(
            f"{self.shop.gateway}/mentorship/availability/{self.teacher_id}/slots",
            headers=self.students[0],
            timeout=10,
        )
        answer.raise_for_status()
        return [slot["start"] for slot in answer.json()["data"]]


def booking_contention(shop: Shop, rounds: int = 10, contenders: int = 50) -> BookingFigures:
    """Each round, `contenders` requests for one slot at once: one 201, the rest 409."""
    mentor = Mentor(shop)
    mentor.ready()
    starts = mentor.slots()[2 : 2 + rounds]
    created: list[float] = []
    conflicts: list[float] = []
    other = 0
    with ThreadPoolExecutor(contenders) as pool:
        for start in starts:
            answers = list(
                pool.map(
                    lambda i, start=start: mentor.book(mentor.students[i % STUDENTS], start),
                    range(contenders),
                )
            )
            for status, ms in answers:
                if status == 201:
                    created.append(ms)
                elif status == 409:
                    conflicts.append(ms)
                else:
                    other += 1
    return BookingFigures(
        rounds=len(starts),
        contenders=contenders,
        booked=len(created),
        refused=len(conflicts),
        other=other,
        created_p50_ms=round(statistics.median(created), 1) if created else 0.0,
        created_p99_ms=_p(created, 0.99),
        conflict_p50_ms=round(statistics.median(conflicts), 1) if conflicts else 0.0,
        conflict_p99_ms=_p(conflicts, 0.99),
    )
