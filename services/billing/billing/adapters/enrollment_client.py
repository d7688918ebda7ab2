"""Asks enrollment how far a student got in a course (internal endpoint)."""

from __future__ import annotations

import requests

from billing.adapters.answers import read_answer
from billing.errors import DependencyUnavailable
from shared.api.internal import Standing
from shared.http import internal_session, url_path

UNCHECKED = "Progress could not be checked; try again."


class EnrollmentClient:
    def __init__(self, base_url: str, internal_token: str) -> None:
        self._base = base_url.rstrip("/")
        self._session = internal_session(internal_token)

    def standing(self, user_id: str, course_id: str) -> Standing:
        """The student's standing as enrollment's 200 says it; any other status, or data that
        is not what enrollment answers, is enrollment_unavailable."""
        try:
            response = self._session.get(
                self._base + url_path("internal", "progress", user_id, course_id), timeout=(2, 5)
            )
        except requests.RequestException as exc:
            raise DependencyUnavailable(UNCHECKED, "enrollment_unavailable") from exc
        return read_answer(response, Standing, UNCHECKED, "enrollment_unavailable")
