"""Asks catalog for a course's authoritative price and status, and what it played to a buyer."""

from __future__ import annotations

from dataclasses import dataclass

import requests

from billing.errors import CourseNotForSale, DependencyUnavailable
from shared.http import internal_session, url_path


@dataclass(frozen=True)
class PricedCourse:
    course_id: str
    title: str
    teacher_id: str
    status: str
    price: int
    currency: str


@dataclass(frozen=True)
class CoursePlayback:
    """A course's paid video chapters, and those whose URL a course page issued to one user."""

    paid_videos: frozenset[str]
    issued: frozenset[str]


class CatalogClient:
    def __init__(self, base_url: str, internal_token: str) -> None:
        self._base = base_url.rstrip("/")
        self._session = internal_session(internal_token)

    def priced_course(self, course_id: str) -> PricedCourse:
        try:
            response = self._session.get(
                self._base + url_path("internal", "courses", course_id), timeout=(2, 5)
            )
        except requests.RequestException as exc:
            raise DependencyUnavailable(
                "The catalog is unavailable.", "catalog_unavailable"
            ) from exc
        if response.status_code == 404:
            raise CourseNotForSale("No such course.")
        if response.status_code != 200:
            raise DependencyUnavailable("The catalog could not price the course.", "catalog_error")
        data = response.json()["data"]
        return PricedCourse(
            course_id=data["courseId"],
            title=data["title"],
            teacher_id=data["teacherId"],
            status=data["status"],
            price=int(data["price"]),
            currency=data["currency"],
        )

    def course_playback(self, course_id: str, user_id: str) -> CoursePlayback:
        """Nothing is known of a course catalog no longer has: it has no video left to count."""
        try:
            response = self._session.get(
                self._base + url_path("internal", "courses", course_id, "playback", user_id),
                timeout=(2, 5),
            )
        except requests.RequestException as exc:
            raise DependencyUnavailable(
                "The catalog is unavailable.", "catalog_unavailable"
            ) from exc
        if response.status_code == 404 and _error_code(response) == "course_not_found":
            return CoursePlayback(frozenset(), frozenset())
        if response.status_code != 200:
            raise DependencyUnavailable(
                "The catalog could not be asked; try again.", "catalog_error"
            )
        data = response.json()["data"]
        return CoursePlayback(
            paid_videos=frozenset(data["paidVideoChapterIds"]),
            issued=frozenset(data["issuedChapterIds"]),
        )


def _error_code(response: requests.Response) -> str | None:
    try:
        code = response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None
    return code if isinstance(code, str) else None
