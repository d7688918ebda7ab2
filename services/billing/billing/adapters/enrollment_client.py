"""Asks enrollment how far a student got in a course (internal endpoint)."""

from __future__ import annotations

import requests

from shared.http import new_session
from shared.web.errors import Unavailable


class EnrollmentClient:
    def __init__(self, base_url: str, internal_token: str) -> None:
        self._base = base_url.rstrip("/")
        self._session = new_session()
        self._session.headers["X-Internal-Token"] = internal_token

    def overall_progress(self, user_id: str, course_id: str) -> int:
        """Percent of the course's chapters the student completed (0 if not enrolled yet)."""
        try:
            response = self._session.get(
                f"{self._base}/internal/progress/{user_id}/{course_id}", timeout=(2, 5)
            )
        except requests.RequestException as exc:
            raise Unavailable(
                "Progress could not be checked; try again.", code="enrollment_unavailable"
            ) from exc
        if response.status_code != 200:
            raise Unavailable(
                "Progress could not be checked; try again.", code="enrollment_unavailable"
            )
        return int(response.json()["data"]["overallProgress"])
