"""The latest course snapshot from catalog events, kept by version (arrival order ignored)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import partial
from typing import Any

from shared.api.courses import CourseCard
from shared.dynamo.codec import values
from shared.dynamo.keys import compose, key
from shared.dynamo.reads import get_item, get_items
from shared.events.contracts import (
    CourseArchived,
    CourseDeleted,
    CoursePublished,
    CourseSnapshot,
    CourseUpdated,
)
from shared.events.envelope import Envelope
from shared.messaging.routing import Route, on
from shared.messaging.unit_of_work import UnitOfWork


def card_key(course_id: str) -> dict[str, str]:
    return key(compose("COURSE", course_id), "CARD")


class CourseCards:
    """Course snapshots in the consuming service's own table."""

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def get(self, course_id: str) -> CourseSnapshot | None:
        item = get_item(self._client, self._table, card_key(course_id))
        return self._snapshot(item) if item else None

    def get_many(self, course_ids: Iterable[str]) -> dict[str, CourseSnapshot]:
        keys = [card_key(i) for i in sorted(set(course_ids))]
        snapshots = (self._snapshot(i) for i in get_items(self._client, self._table, keys))
        return {s.course_id: s for s in snapshots}

    def upsert(self, uow: UnitOfWork, snapshot: CourseSnapshot) -> None:
        """Keep a newer version only; an older or equal one changes nothing."""
        current = self.get(snapshot.course_id)
        if current is not None and current.version >= snapshot.version:
            return
        uow.tx.put(
            {
                **card_key(snapshot.course_id),
                "version": snapshot.version,
                "snapshot": json.dumps(snapshot.model_dump(mode="json")),
            },
            condition="attribute_not_exists(PK) OR version < :v",
            values=values(v=snapshot.version),
        )

    @staticmethod
    def _snapshot(item: dict[str, Any]) -> CourseSnapshot:
        return CourseSnapshot.model_validate_json(item["snapshot"])


CourseEvent = CoursePublished | CourseUpdated | CourseArchived | CourseDeleted
COURSE_EVENTS = (CoursePublished, CourseUpdated, CourseArchived, CourseDeleted)


def keep_latest_card(
    event: CourseEvent, _envelope: Envelope, uow: UnitOfWork, *, cards: CourseCards
) -> None:
    """The course's newest snapshot is kept; an older version arriving late changes nothing."""
    cards.upsert(uow, event.course)


def course_card_routes(cards: CourseCards) -> list[Route[Any]]:
    """The routes that keep the read model current from every course event."""
    keep = partial(keep_latest_card, cards=cards)
    return [on(contract, keep) for contract in COURSE_EVENTS]


def card_fields(course: CourseSnapshot) -> dict[str, Any]:
    """A course's public card (`shared.api.courses.CourseCard` and the models extending it) by
    field name, from its snapshot, whose fields carry the same names; `image` is still the
    storage key (`image_key`), which each view signs."""
    return {
        name: getattr(course, "image_key" if name == "image" else name)
        for name in CourseCard.model_fields
    }
