"""Enrollments and progress in enrollment's table."""

from __future__ import annotations

from typing import Any

from enrollment.adapters import keys
from enrollment.domain.model import REVOKED, Enrollment, Progress
from shared.dynamo.codec import Item, values
from shared.dynamo.reads import get_item, query_all
from shared.messaging.unit_of_work import UnitOfWork


def _enrollment(item: Item) -> Enrollment:
    return Enrollment(
        user_id=item["userId"],
        course_id=item["courseId"],
        order_id=item["orderId"],
        enrolled_at=item["enrolledAt"],
        status=item["status"],
        standby_orders=frozenset(item.get("standbyOrders") or ()),
    )


class StaleProgress(Exception):
    """Another update of the same progress committed first."""


def _progress(item: Item) -> Progress:
    return Progress(
        user_id=item["userId"],
        course_id=item["courseId"],
        chapters=item.get("chapters") or {},
        last_accessed=item.get("lastAccessedTimestamp"),
        last_chapter_id=item.get("lastChapterId"),
        completed_at=item.get("completedAt"),
        version=int(item.get("version", 0)),
    )


class EnrollmentRepository:
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def _get(self, item_key: dict[str, str]) -> Item | None:
        return get_item(self._client, self._table, item_key)

    def get(self, user_id: str, course_id: str) -> Enrollment | None:
        item = self._get(keys.enrollment_key(user_id, course_id))
        return _enrollment(item) if item else None

    def progress(self, user_id: str, course_id: str) -> Progress | None:
        item = self._get(keys.progress_key(user_id, course_id))
        return _progress(item) if item else None

    def order_revoked(self, order_id: str) -> bool:
        return self._get(keys.revoked_order_key(order_id)) is not None

    def of_user(self, user_id: str) -> tuple[list[Enrollment], dict[str, Progress]]:
        """Every enrollment of a user with its progress: one partition, paged to the end."""
        enrollments: list[Enrollment] = []
        progress: dict[str, Progress] = {}
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :course)",
            "ExpressionAttributeValues": values(
                pk=keys.user_partition(user_id), course=keys.COURSE_PREFIX
            ),
        }
        for item in query_all(self._client, request):
            if item["SK"].endswith("#ENROLLMENT"):
                enrollments.append(_enrollment(item))
            else:
                progress[item["courseId"]] = _progress(item)
        return enrollments, progress

    def enroll(self, uow: UnitOfWork, enrollment: Enrollment) -> None:
        """Enrollment and empty progress, once per user and course."""
        uow.tx.put(
            {
                **keys.enrollment_key(enrollment.user_id, enrollment.course_id),
                **keys.course_enrollments(
                    enrollment.course_id, enrollment.enrolled_at, enrollment.user_id
                ),
                "userId": enrollment.user_id,
                "courseId": enrollment.course_id,
                "orderId": enrollment.order_id,
                "enrolledAt": enrollment.enrolled_at,
                "status": enrollment.status,
            },
            condition="attribute_not_exists(PK)",
        )
        uow.tx.put(
            {
                **keys.progress_key(enrollment.user_id, enrollment.course_id),
                "userId": enrollment.user_id,
                "courseId": enrollment.course_id,
                "chapters": {},
                "lastAccessedTimestamp": enrollment.enrolled_at,
                "version": 0,
            },
            condition="attribute_not_exists(PK)",
        )

    def save_progress(self, uow: UnitOfWork, progress: Progress, read_version: int) -> None:
        """Replace the progress item if nobody saved it since `read_version` was read."""
        guard = "version = :read"
        if not read_version:
            guard += " OR attribute_not_exists(version)"
        uow.tx.put(
            {
                **keys.progress_key(progress.user_id, progress.course_id),
                "userId": progress.user_id,
                "courseId": progress.course_id,
                "chapters": progress.chapters,
                "lastAccessedTimestamp": progress.last_accessed,
                "lastChapterId": progress.last_chapter_id,
                "completedAt": progress.completed_at,
                "version": read_version + 1,
            },
            condition=f"attribute_exists(PK) AND ({guard})",
            values=values(read=read_version),
            on_condition_failed=StaleProgress,
        )

    def revoke(self, uow: UnitOfWork, enrollment: Enrollment, at: str) -> None:
        """Access ends; progress is kept in case the student comes back. Only while the
        refunded order still grants it and no other paid order stands by."""
        uow.tx.update(
            keys.enrollment_key(enrollment.user_id, enrollment.course_id),
            "SET #s = :revoked, revokedAt = :at",
            condition="#s <> :revoked AND orderId = :order AND attribute_not_exists(standbyOrders)",
            names={"#s": "status"},
            values=values(revoked=REVOKED, at=at, order=enrollment.order_id),
        )

    def add_standby(self, uow: UnitOfWork, enrollment: Enrollment, order_id: str) -> None:
        """Another paid order for an active enrollment (a purchase racing a refund)."""
        uow.tx.update(
            keys.enrollment_key(enrollment.user_id, enrollment.course_id),
            "ADD standbyOrders :order",
            condition="#s = :active AND orderId = :current",
            names={"#s": "status"},
            values=values(order={order_id}, active="ACTIVE", current=enrollment.order_id),
        )

    def drop_standby(self, uow: UnitOfWork, enrollment: Enrollment, order_id: str) -> None:
        """A standby order was refunded: it no longer keeps access."""
        uow.tx.update(
            keys.enrollment_key(enrollment.user_id, enrollment.course_id),
            "DELETE standbyOrders :order",
            values=values(order={order_id}),
        )

    def switch_order(self, uow: UnitOfWork, enrollment: Enrollment, order_id: str) -> None:
        """The granting order was refunded; a standby order grants access from now on."""
        uow.tx.update(
            keys.enrollment_key(enrollment.user_id, enrollment.course_id),
            "SET orderId = :new DELETE standbyOrders :set",
            condition="orderId = :old AND contains(standbyOrders, :new)",
            values=values(new=order_id, set={order_id}, old=enrollment.order_id),
        )

    def remember_revoked_order(self, uow: UnitOfWork, order_id: str, at: str) -> None:
        uow.tx.put({**keys.revoked_order_key(order_id), "orderId": order_id, "at": at})

    def require_not_revoked(self, uow: UnitOfWork, order_id: str) -> None:
        """Commit only if no refund of the order was remembered meanwhile."""
        uow.tx.check(keys.revoked_order_key(order_id), "attribute_not_exists(PK)")

    def require_no_access_from(
        self, uow: UnitOfWork, user_id: str, course_id: str, order_id: str
    ) -> None:
        """Commit only if the order still grants no access (no payment applied meanwhile)."""
        uow.tx.check(
            keys.enrollment_key(user_id, course_id),
            "attribute_not_exists(PK) OR #s = :revoked "
            "OR (orderId <> :order AND NOT contains(standbyOrders, :order))",
            names={"#s": "status"},
            values=values(revoked=REVOKED, order=order_id),
        )

    def reactivate(self, uow: UnitOfWork, enrollment: Enrollment, order_id: str) -> None:
        """A revoked student bought the course again."""
        uow.tx.update(
            keys.enrollment_key(enrollment.user_id, enrollment.course_id),
            "SET #s = :active, orderId = :order REMOVE revokedAt",
            condition="#s = :revoked",
            names={"#s": "status"},
            values=values(active="ACTIVE", order=order_id, revoked=REVOKED),
        )
