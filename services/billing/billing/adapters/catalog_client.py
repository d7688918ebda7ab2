"""Asks catalog for a course's authoritative price and status (internal endpoint)."""

from __future__ import annotations

from dataclasses import dataclass

import requests

from shared.http import new_session
from shared.web.errors import NotFound, Unavailable


@dataclass(frozen=True)
class PricedCourse:
    course_id: str
    title: str
    teacher_id: str
    status: str
    price: int
    currency: str


class CatalogClient:
    def __init__(self, base_url: str, internal_token: str) -> None:
        self._base = base_url.rstrip("/")
        self._session = new_session()
        self._session.headers["X-Internal-Token"] = internal_token

    def priced_course(self, course_id: str) -> PricedCourse:
        try:
            response = self._session.get(
                f"{self._base}/internal/courses/{course_id}", timeout=(2, 5)
            )
        except requests.RequestException as exc:
            raise Unavailable("The catalog is unavailable.", code="catalog_unavailable") from exc
        if response.status_code == 404:
            raise NotFound("No such course.", code="course_not_found")
        if response.status_code != 200:
            raise Unavailable("The catalog could not price the course.", code="catalog_error")
        data = response.json()["data"]
        return PricedCourse(
            course_id=data["courseId"],
            title=data["title"],
            teacher_id=data["teacherId"],
            status=data["status"],
            price=int(data["price"]),
            currency=data["currency"],
        )
