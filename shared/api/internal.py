"""What services answer each other on their internal endpoints (not in the OpenAPI document):
built by the server, read back by the client with `from_wire`."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer

from shared.api.learning import Percent
from shared.api.payments import MinorUnits
from shared.api.spec import ResponseModel

ChapterIds = Annotated[frozenset[str], PlainSerializer(sorted, return_type=list[str])]
"""A set of chapter ids, answered as a sorted list."""


def _none_as_empty(value: Any) -> Any:
    return () if value is None else value


class PricedCourse(ResponseModel):
    """Catalog's `GET /internal/courses/<id>`: what billing needs to charge for a course."""

    course_id: str
    title: str
    teacher_id: str
    status: str
    """For sale only when `Published`."""
    price: MinorUnits
    currency: str


class CoursePlayback(ResponseModel):
    """Catalog's `GET /internal/courses/<id>/playback/<user id>`, for billing's refund rule."""

    course_id: str
    user_id: str
    paid_video_chapter_ids: ChapterIds
    """Chapters whose video only buyers may play: a video, not a free preview."""
    issued_chapter_ids: ChapterIds
    """The course's chapters whose playback URL a course page gave the user."""


class Standing(ResponseModel):
    """Enrollment's `GET /internal/progress/<user id>/<course id>`, for billing's refund rule."""

    user_id: str
    course_id: str
    enrolled: bool
    order_id: str | None
    """The order the enrollment came from (kept after a refund); null when never enrolled."""
    overall_progress: Percent
    """Percent of the course's chapters the user completed (0 if not enrolled yet)."""
    issued_chapter_ids: Annotated[ChapterIds, BeforeValidator(_none_as_empty)] = frozenset()
    """Chapters whose playback URL the stream endpoint issued to the user (an enrollment older
    than the refund rule's issued share leaves it out)."""
