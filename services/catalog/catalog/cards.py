"""A course's card: what listings show of it, stored apart so a listing page reads only that."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from catalog.course_media import CourseMedia
from catalog.domain.model import PUBLISHED, Course
from catalog.domain.search import index_words
from catalog.outline import stored_document, withheld


@dataclass(frozen=True)
class Card:
    """A listing's `Course`, pre-rendered: its wire JSON for every caller (`Access.OUTLINE`: no
    chapter `content` or `video`) as the table stores it (`stored_document`: the thumbnail's
    storage key, no `enrollmentCount`), and the enrollment count beside it."""

    document: dict[str, Any]
    enrollment_count: int

    @property
    def course_id(self) -> str:
        return str(self.document["courseId"])

    @property
    def is_public(self) -> bool:
        return bool(self.document["status"] == PUBLISHED)

    @property
    def category(self) -> str:
        return str(self.document["category"])

    @property
    def search_words(self) -> frozenset[str]:
        """The words the course is indexed under while published (as `Course.search_words`)."""
        if not self.is_public:
            return frozenset()
        return index_words(self.document["title"], self.document["description"])


def card_of(course: Course) -> Card:
    return Card(stored_document(course, withheld, withheld), course.enrollment_count)


def encode_card(card: Card) -> str:
    """The document as the card item stores it: one string attribute, cheap to read back."""
    return json.dumps(card.document, separators=(",", ":"))


def decode_card(encoded: str, enrollment_count: int) -> Card:
    return Card(json.loads(encoded), enrollment_count)


def card_json(card: Card, media: CourseMedia) -> dict[str, Any]:
    """The card as listings answer it: the wire JSON of `shown_course(course, media,
    Access.OUTLINE)`, patched in place rather than built again (the listing's hot path), the
    thumbnail a short-lived signed URL."""
    image = card.document["image"]
    return {
        **card.document,
        "image": media.playback_url(image) if image else None,
        "enrollmentCount": card.enrollment_count,
    }
