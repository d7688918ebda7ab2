"""Courses in DynamoDB: the course item, its card item, its search-word items and its students'
items."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from catalog.adapters import keys
from catalog.cards import Card, card_of, decode_card, encode_card
from catalog.domain.model import Course
from catalog.domain.search import driving_term, matches
from catalog.outline import outline_from_document, stored_content, stored_document, stored_video
from shared.dynamo.codec import Item, serialize, values
from shared.dynamo.pagination import start_key
from shared.dynamo.reads import get_item, get_items, query_page
from shared.messaging.unit_of_work import UnitOfWork

INDEX_ATTRIBUTES = ("GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK")
"""The listing indexes' keys: on the card item; a course item saved before cards existed has
them too, until its card is written (`adopt_card`)."""
SEARCH_READS = 5
"""How many index pages one search request reads at most while filling a page."""


class StaleCourse(Exception):
    """Someone saved the course, or a student enrolled, since it was read."""


@dataclass(frozen=True)
class Page:
    cards: list[Card]
    last_key: dict[str, Any] | None


def to_item(course: Course) -> Item:
    """The course item: everything, chapter content and video keys included."""
    return {
        **keys.course_key(course.course_id),
        **stored_document(course, stored_content, stored_video),
        "publishedAt": course.published_at,
        "version": course.version,
        "mediaBytes": dict(course.media_bytes) or None,
    }


def index_keys(course: Course) -> Item:
    """The keys that put a course's card in the listing indexes: its teacher's (GSI1) always,
    every category's (GSI2) and its own (GSI3) while it is published."""
    found: Item = {**keys.teacher_index(course.teacher_id, course.created_at, course.course_id)}
    if course.is_public and course.published_at:
        found.update(keys.published_index(course.category, course.published_at, course.course_id))
    return found


def card_item(course: Course, enrollment_count: int) -> Item:
    """The card item: the listing indexes' keys and the card, a few KB whatever the content."""
    return {
        **keys.card_key(course.course_id),
        **index_keys(course),
        "courseId": course.course_id,
        "card": encode_card(card_of(course)),
        "enrollmentCount": enrollment_count,
    }


def card_from_item(item: Item) -> Card:
    """The card of an index or card item; a course item not yet adopted gives its card too."""
    count = int(item.get("enrollmentCount", 0))
    if "card" in item:
        return decode_card(item["card"], count)
    return card_of(from_item(item))


def from_item(item: Item) -> Course:
    return Course(
        course_id=item["courseId"],
        teacher_id=item["teacherId"],
        teacher_name=item.get("teacherName", ""),
        created_at=item["createdAt"],
        updated_at=item["updatedAt"],
        title=item.get("title", ""),
        description=item.get("description", ""),
        category=item.get("category", ""),
        image=item.get("image"),
        price=int(item.get("price", 0)),
        currency=item.get("currency", "INR"),
        level=item.get("level", "Beginner"),
        status=item["status"],
        sections=outline_from_document(item.get("sections", [])),
        enrollment_count=int(item.get("enrollmentCount", 0)),
        version=int(item.get("version", 1)),
        published_at=item.get("publishedAt"),
        media_bytes={key: int(size) for key, size in item.get("mediaBytes", {}).items()},
    )


def _word_keys(course: Course) -> set[tuple[str, str]]:
    """The search-index items a course has: one per word while it is published."""
    if not course.published_at:
        return set()
    return {
        (k["PK"], k["SK"])
        for k in (
            keys.word_key(w, course.published_at, course.course_id) for w in course.search_words
        )
    }


class CourseRepository:
    """Reads go straight to DynamoDB; writes join the caller's unit of work."""

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def get(self, course_id: str) -> Course | None:
        item = get_item(self._client, self._table, keys.course_key(course_id))
        return from_item(item) if item else None

    def card(self, course_id: str) -> Card | None:
        item = get_item(self._client, self._table, keys.card_key(course_id))
        return card_from_item(item) if item else None

    def add(self, uow: UnitOfWork, course: Course) -> None:
        uow.tx.put(to_item(course), condition="attribute_not_exists(PK)")
        uow.tx.put(card_item(course, 0), condition="attribute_not_exists(PK)")
        self._reindex(uow, None, course)

    def replace(self, uow: UnitOfWork, course: Course, current: Course) -> None:
        """Write every field except the enrollment counter, and the card with it, if nobody
        saved since `current` was read, and move its search-word items along."""
        expression, names, updates = _set_and_remove(
            {k: v for k, v in to_item(course).items() if k not in ("PK", "SK")}
        )
        uow.tx.update(
            keys.course_key(course.course_id),
            expression,
            condition="version = :read",
            names=names,
            values={**values(read=current.version), **updates},
            on_condition_failed=StaleCourse,
        )
        # the count is `count_enrollment`'s: set here only on a card this save creates
        card = card_item(course, current.enrollment_count)
        expression, names, updates = _set_and_remove(
            {k: v for k, v in card.items() if k not in ("PK", "SK", "enrollmentCount")},
            also="enrollmentCount = if_not_exists(enrollmentCount, :n)",
        )
        uow.tx.update(
            keys.card_key(course.course_id),
            expression,
            names=names,
            values={**values(n=current.enrollment_count), **updates},
        )
        self._reindex(uow, current, course)

    def remove(self, uow: UnitOfWork, current: Course) -> None:
        """Delete the course, its card and its search words, unless it changed or gained a
        student."""
        uow.tx.delete(
            keys.course_key(current.course_id),
            condition="version = :read AND (attribute_not_exists(enrollmentCount) OR "
            "enrollmentCount <= :none)",
            values=values(read=current.version, none=0),
            on_condition_failed=StaleCourse,
        )
        uow.tx.delete(keys.card_key(current.course_id))
        self._reindex(uow, current, None)

    def _reindex(self, uow: UnitOfWork, before: Course | None, after: Course | None) -> None:
        old = _word_keys(before) if before else set()
        new = _word_keys(after) if after else set()
        for pk, sk in sorted(old - new):
            uow.tx.delete({"PK": pk, "SK": sk})
        for pk, sk in sorted(new - old):
            assert after is not None
            uow.tx.put({"PK": pk, "SK": sk, "courseId": after.course_id})

    def count_enrollment(self, uow: UnitOfWork, course_id: str, delta: int) -> None:
        """Count a student in or out, on the course and on its card (both must exist)."""
        for key in (keys.course_key(course_id), keys.card_key(course_id)):
            uow.tx.update(
                key,
                "ADD enrollmentCount :d",
                condition="attribute_exists(PK)",
                values=values(d=delta),
            )

    def count_enrollment_checked(self, uow: UnitOfWork, course_id: str, delta: int) -> None:
        """`count_enrollment` after reading what is there: nothing for a course that is gone; a
        course saved before cards existed gets its card, counted, now."""
        if self.card(course_id) is not None:
            self.count_enrollment(uow, course_id, delta)
        elif course := self.get(course_id):
            self.adopt_card(uow, course, delta)

    def adopt_card(self, uow: UnitOfWork, course: Course, delta: int = 0) -> None:
        """Give a course saved before cards existed its card item, moving the listing indexes'
        keys onto it; ConditionFailed if the course, or its count, changed since it was read."""
        names = {f"#i{n}": name for n, name in enumerate(INDEX_ATTRIBUTES)}
        uow.tx.update(
            keys.course_key(course.course_id),
            "ADD enrollmentCount :d REMOVE " + ", ".join(names),
            condition="version = :read AND (attribute_not_exists(enrollmentCount) OR "
            "enrollmentCount = :n)",
            names=names,
            values=values(d=delta, read=course.version, n=course.enrollment_count),
        )
        uow.tx.put(
            card_item(course, course.enrollment_count + delta), condition="attribute_not_exists(PK)"
        )

    def published(self, category: str | None, limit: int, start: dict[str, Any] | None) -> Page:
        if category:
            index, pk = "GSI3", keys.category_partition(category)
        else:
            index, pk = "GSI2", keys.PUBLISHED_ALL
        return self._page(index, pk, limit, start)

    def search(
        self,
        terms: tuple[str, ...],
        category: str | None,
        limit: int,
        start: dict[str, Any] | None,
    ) -> Page:
        """Published courses holding every term, newest first: the index partition of one term
        is read a page at a time and the cards of its courses checked for the others, for a few
        pages."""
        partition = keys.word_partition(driving_term(terms))
        cursor = start_key(start, None, partition)
        found: list[Card] = []
        for _ in range(SEARCH_READS):
            page = query_page(self._client, self._table, None, partition, limit, cursor)
            cards = self._cards([i["courseId"] for i in page.items])
            for entry in page.items:
                card = cards.get(entry["courseId"])
                if card is None or not card.is_public or not matches(card.search_words, terms):
                    continue
                if category and card.category.lower() != category.lower():
                    continue
                found.append(card)
                if len(found) == limit:
                    return Page(found, {"PK": entry["PK"], "SK": entry["SK"]})
            if page.last_key is None:
                return Page(found, None)
            cursor = page.last_key
        return Page(found, cursor)

    def _cards(self, course_ids: list[str]) -> dict[str, Card]:
        """The cards of these courses (one BatchGetItem of small items); a course saved before
        cards existed costs one more, of its whole item."""
        found = get_items(self._client, self._table, [keys.card_key(i) for i in course_ids])
        cards = {c.course_id: c for c in map(card_from_item, found)}
        missing = [keys.course_key(i) for i in course_ids if i not in cards]
        if missing:
            old = get_items(self._client, self._table, missing)
            cards.update((c.course_id, c) for c in map(card_from_item, old))
        return cards

    def of_teacher(self, teacher_id: str, limit: int, start: dict[str, Any] | None) -> Page:
        return self._page("GSI1", keys.teacher_partition(teacher_id), limit, start)

    def _page(self, index: str, pk: str, limit: int, start: dict[str, Any] | None) -> Page:
        page = query_page(self._client, self._table, index, pk, limit, start)
        return Page(cards=[card_from_item(i) for i in page.items], last_key=page.last_key)


def courses_without_cards(client: Any, table: str) -> list[str]:
    """Ids of the courses saved before cards existed: a Scan, for the operator's backfill (a
    client without the request paths' scan guard)."""
    courses: set[str] = set()
    cards: set[str] = set()
    request: dict[str, Any] = {
        "TableName": table,
        "ProjectionExpression": "PK, SK",
        "FilterExpression": "SK IN (:course, :card)",
        "ExpressionAttributeValues": values(course="COURSE", card=keys.CARD),
    }
    while True:
        response = client.scan(**request)
        for item in response.get("Items", []):
            found = cards if item["SK"]["S"] == keys.CARD else courses
            found.add(item["PK"]["S"].removeprefix("COURSE#"))
        if "LastEvaluatedKey" not in response:
            return sorted(courses - cards)
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _set_and_remove(item: Item, also: str = "") -> tuple[str, dict[str, str], dict[str, Any]]:
    """An UpdateExpression writing `item` over what is stored: SET its values (and the clause
    `also`), REMOVE its None fields and whichever listing index keys it lacks; with its names
    and (serialized) values."""
    present = {k: v for k, v in item.items() if v is not None}
    absent = list(dict.fromkeys(k for k in (*item, *INDEX_ATTRIBUTES) if k not in present))
    names = {f"#a{i}": name for i, name in enumerate([*present, *absent])}
    by_name = {name: alias for alias, name in names.items()}
    sets = [f"{by_name[k]} = :{by_name[k][1:]}" for k in present] + ([also] if also else [])
    expression = "SET " + ", ".join(sets)
    if absent:
        expression += " REMOVE " + ", ".join(by_name[k] for k in absent)
    updates = {f":{by_name[k][1:]}": v for k, v in serialize(present).items()}
    return expression, names, updates
