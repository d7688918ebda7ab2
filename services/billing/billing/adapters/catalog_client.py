"""Asks catalog for a course's authoritative price and status, and what it played to a buyer."""

from __future__ import annotations

import requests

from billing.adapters.answers import read_answer
from billing.errors import CourseNotForSale, DependencyUnavailable
from shared.api.internal import CoursePlayback, PricedCourse
from shared.http import internal_session, url_path

CATALOG_ERROR = "catalog_error"


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
        return read_answer(
            response, PricedCourse, "The catalog could not price the course.", CATALOG_ERROR
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
            return CoursePlayback(
                course_id=course_id,
                user_id=user_id,
                paid_video_chapter_ids=frozenset(),
                issued_chapter_ids=frozenset(),
            )
        return read_answer(
            response, CoursePlayback, "The catalog could not be asked; try again.", CATALOG_ERROR
        )


def _error_code(response: requests.Response) -> str | None:
    try:
        code = response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None
    return code if isinstance(code, str) else None
