"""Asks enrollment how far a student got in a course (internal endpoint)."""

from __future__ import annotations

from dataclasses import dataclass

import requests

from billing.errors import DependencyUnavailable
from shared.http import internal_session, url_path


@dataclass(frozen=True)
class Standing:
    """A student's standing in a course as enrollment knows it."""

    overall_progress: int
    """Percent of the course's chapters the student completed (0 if not enrolled yet)."""
    issued_chapters: frozenset[str]
    """Chapters whose playback URL the stream endpoint issued to the student."""


class EnrollmentClient:
    def __init__(self, base_url: str, internal_token: str) -> None:
        self._base = base_url.rstrip("/")
        self._session = internal_session(internal_token)

    def standing(self, user_id: str, course_id: str) -> Standing:
        try:
            response = self._session.get(
                self._base + url_path("internal", "progress", user_id, course_id), timeout=(2, 5)
            )
        except requests.RequestException as exc:
            raise DependencyUnavailable(
                "Progress could not be checked; try again.", "enrollment_unavailable"
            ) from exc
        if response.status_code != 200:
            raise DependencyUnavailable(
                "Progress could not be checked; try again.", "enrollment_unavailable"
            )
        data = response.json()["data"]
        return Standing(
            overall_progress=int(data["overallProgress"]),
            issued_chapters=frozenset(data.get("issuedChapterIds") or ()),
        )
