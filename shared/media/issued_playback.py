"""Which paid chapters' playback URLs a student was given, kept by each service that signs them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from shared.clock import now_iso
from shared.dynamo.codec import serialize, values
from shared.dynamo.keys import compose, key
from shared.dynamo.reads import get_item


def issued_playback_key(course_id: str, user_id: str) -> dict[str, str]:
    return key(compose("COURSE", course_id), compose("PLAYBACK", user_id))


class IssuedPlayback:
    """One item per (course, student) in the signing service's own table: a string set of the
    chapter ids whose playback URL it issued, only ever added to."""

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def record(self, course_id: str, user_id: str, chapter_ids: Iterable[str]) -> None:
        """One UpdateItem ADD, so concurrent requests never lose each other's chapters."""
        chapters = set(chapter_ids)
        if not chapters:
            return
        self._client.update_item(
            TableName=self._table,
            Key=serialize(issued_playback_key(course_id, user_id)),
            UpdateExpression="ADD chapterIds :chapters SET courseId = :course, userId = :user, "
            "lastIssuedAt = :at",
            ExpressionAttributeValues=values(
                chapters=chapters, course=course_id, user=user_id, at=now_iso()
            ),
        )

    def chapters(self, course_id: str, user_id: str) -> frozenset[str]:
        item = get_item(self._client, self._table, issued_playback_key(course_id, user_id))
        return frozenset(item.get("chapterIds") or ()) if item else frozenset()
