"""Courses in DynamoDB: the course item, its search-word items and its students' items."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from catalog.adapters import keys
from catalog.domain.model import Course
from catalog.domain.search import driving_term, matches
from catalog.outline import (
    outline_document,
    outline_from_document,
    stored_content,
    stored_video,
)
from shared.dynamo.codec import Item, serialize, values
from shared.dynamo.pagination import start_key
from shared.dynamo.reads import get_item, get_items, query_page
from shared.messaging.unit_of_work import UnitOfWork
from shared.readmodels.course_cards import card_fields

INDEX_ATTRIBUTES = ("GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK")
SEARCH_READS = 5
"""How many index pages one search request reads at most while filling a page."""


class StaleCourse(Exception):
    """Someone saved the course, or a student enrolled, since it was read."""


@dataclass(frozen=True)
class Page:
    courses: list[Course]
    last_key: dict[str, Any] | None


def to_item(course: Course) -> Item:
    item: Item = {
        **keys.course_key(course.course_id),
        **keys.teacher_index(course.teacher_id, course.created_at, course.course_id),
        **card_fields(course.snapshot()),
        "sections": outline_document(course.sections, stored_content, stored_video),
        "publishedAt": course.published_at,
        "version": course.version,
        "mediaBytes": dict(course.media_bytes) or None,
    }
    if course.is_public and course.published_at:
        item.update(keys.published_index(course.category, course.published_at, course.course_id))
    return item


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

    def get_many(self, course_ids: list[str]) -> dict[str, Course]:
        found = get_items(self._client, self._table, [keys.course_key(i) for i in course_ids])
        return {c.course_id: c for c in map(from_item, found)}

    def add(self, uow: UnitOfWork, course: Course) -> None:
        uow.tx.put(to_item(course), condition="attribute_not_exists(PK)")
        self._reindex(uow, None, course)

    def replace(self, uow: UnitOfWork, course: Course, current: Course) -> None:
        """Write every field except the enrollment counter, if nobody saved since `current` was
        read, and move its search-word items along."""
        item = {k: v for k, v in to_item(course).items() if k not in ("PK", "SK")}
        present = {k: v for k, v in item.items() if v is not None}
        absent = list(dict.fromkeys(k for k in (*item, *INDEX_ATTRIBUTES) if k not in present))
        names = {f"#a{i}": name for i, name in enumerate([*present, *absent])}
        by_name = {name: alias for alias, name in names.items()}
        sets = ", ".join(f"{by_name[k]} = :{by_name[k][1:]}" for k in present)
        expression = f"SET {sets}"
        if absent:
            expression += " REMOVE " + ", ".join(by_name[k] for k in absent)
        uow.tx.update(
            keys.course_key(course.course_id),
            expression,
            condition="version = :read",
            names=names,
            values={
                **values(read=current.version),
                **{f":{by_name[k][1:]}": v for k, v in serialize(present).items()},
            },
            on_condition_failed=StaleCourse,
        )
        self._reindex(uow, current, course)

    def remove(self, uow: UnitOfWork, current: Course) -> None:
        """Delete the course and its search words, unless it changed or gained a student."""
        uow.tx.delete(
            keys.course_key(current.course_id),
            condition="version = :read AND (attribute_not_exists(enrollmentCount) OR "
            "enrollmentCount <= :none)",
            values=values(read=current.version, none=0),
            on_condition_failed=StaleCourse,
        )
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
        uow.tx.update(
            keys.course_key(course_id),
            "ADD enrollmentCount :d",
            condition="attribute_exists(PK)",
            values=values(d=delta),
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
        is read a page at a time and its courses checked for the others, for a few pages."""
        partition = keys.word_partition(driving_term(terms))
        cursor = start_key(start, None, partition)
        found: list[Course] = []
        for _ in range(SEARCH_READS):
            page = query_page(self._client, self._table, None, partition, limit, cursor)
            courses = self.get_many([i["courseId"] for i in page.items])
            for entry in page.items:
                course = courses.get(entry["courseId"])
                if (
                    course is None
                    or not course.is_public
                    or not matches(course.search_words, terms)
                ):
                    continue
                if category and course.category.lower() != category.lower():
                    continue
                found.append(course)
                if len(found) == limit:
                    return Page(found, {"PK": entry["PK"], "SK": entry["SK"]})
            if page.last_key is None:
                return Page(found, None)
            cursor = page.last_key
        return Page(found, cursor)

    def of_teacher(self, teacher_id: str, limit: int, start: dict[str, Any] | None) -> Page:
        return self._page("GSI1", keys.teacher_partition(teacher_id), limit, start)

    def _page(self, index: str, pk: str, limit: int, start: dict[str, Any] | None) -> Page:
        page = query_page(self._client, self._table, index, pk, limit, start)
        return Page(courses=[from_item(i) for i in page.items], last_key=page.last_key)
