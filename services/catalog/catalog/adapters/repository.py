"""Courses in DynamoDB: one item each, written through the unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from catalog.adapters import keys
from catalog.domain.model import Course
from catalog.outline import outline_document, outline_from_document
from shared.dynamo.codec import Item, serialize, values
from shared.dynamo.reads import get_item, query_page
from shared.messaging.unit_of_work import UnitOfWork
from shared.readmodels.course_cards import card_fields

INDEX_ATTRIBUTES = ("GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK")


class StaleCourse(Exception):
    """Someone saved the course since it was read."""


@dataclass(frozen=True)
class Page:
    courses: list[Course]
    last_key: dict[str, Any] | None


def to_item(course: Course) -> Item:
    item: Item = {
        **keys.course_key(course.course_id),
        **keys.teacher_index(course.teacher_id, course.created_at, course.course_id),
        **card_fields(course.snapshot()),
        "sections": outline_document(course.sections, with_media=True),
        "publishedAt": course.published_at,
        "version": course.version,
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
    )


class CourseRepository:
    """Reads go straight to DynamoDB; writes join the caller's unit of work."""

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def get(self, course_id: str) -> Course | None:
        item = get_item(self._client, self._table, keys.course_key(course_id))
        return from_item(item) if item else None

    def add(self, uow: UnitOfWork, course: Course) -> None:
        uow.tx.put(to_item(course), condition="attribute_not_exists(PK)")

    def replace(self, uow: UnitOfWork, course: Course, read_version: int) -> None:
        """Write every field except the enrollment counter, if nobody saved in between."""
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
                **values(read=read_version),
                **{f":{by_name[k][1:]}": v for k, v in serialize(present).items()},
            },
            on_condition_failed=StaleCourse,
        )

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

    def of_teacher(self, teacher_id: str, limit: int, start: dict[str, Any] | None) -> Page:
        return self._page("GSI1", keys.teacher_partition(teacher_id), limit, start)

    def _page(self, index: str, pk: str, limit: int, start: dict[str, Any] | None) -> Page:
        page = query_page(self._client, self._table, index, pk, limit, start)
        return Page(courses=[from_item(i) for i in page.items], last_key=page.last_key)
