"""Sessions, availability, busy buckets and upcoming sets in mentorship's table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from operator import itemgetter
from typing import Any, get_type_hints

from pydantic.alias_generators import to_camel

from mentorship.adapters import keys
from mentorship.domain.availability import Availability, as_saved, availability_from_document
from mentorship.domain.session import CANCELLED, SCHEDULED, Session
from mentorship.domain.slots import lock_buckets
from mentorship.domain.upcoming import Upcoming
from shared.clock import iso, parse_iso
from shared.dynamo.codec import Item, values
from shared.dynamo.reads import get_item, query_all, query_page
from shared.dynamo.transaction import ConditionFailed
from shared.messaging.unit_of_work import UnitOfWork


class SlotTaken(Exception):
    """Another session already holds part of this time (or the session id exists)."""


class SessionChanged(ConditionFailed):
    """The session's status changed since it was read (a consumer runs its handler again)."""


class UpcomingChanged(ConditionFailed):
    """The student's upcoming set with the teacher was written since it was read."""


@dataclass(frozen=True)
class Page:
    sessions: list[Session]
    last_key: dict[str, Any] | None


def _read_back() -> tuple[tuple[int, Callable[[Any], Any]], ...]:
    """Where each field that is not a string sits in field order, and how its attribute is read
    back (DynamoDB gives numbers as Decimal)."""
    hints = get_type_hints(Session)
    readers: dict[object, Callable[[Any], Any]] = {datetime: parse_iso, int: int}
    return tuple(
        (index, readers[hints[field.name]])
        for index, field in enumerate(fields(Session))
        if hints[field.name] is not str
    )


SESSION_FIELDS = tuple(field.name for field in fields(Session))
SESSION_ATTRIBUTES = tuple(to_camel(name) for name in SESSION_FIELDS)
"""A session item holds each field of the domain's Session under its camelCase name."""
ABSENT_SESSION_ATTRIBUTES: dict[str, Any] = {
    "bufferMinutes": 0,
    "studentName": "",
    "teacherName": "",
}
"""What a session item without these attributes is read as."""
_in_field_order = itemgetter(*SESSION_ATTRIBUTES)
_READ_BACK = _read_back()


def to_item(session: Session) -> Item:
    """The session's keys, and each field as its attribute (instants ISO-8601 UTC)."""
    return {
        **keys.session_key(session.session_id),
        **keys.session_indexes(
            session.session_id, session.student_id, session.teacher_id, session.starts_at
        ),
        **{
            attribute: _written(getattr(session, name))
            for name, attribute in zip(SESSION_FIELDS, SESSION_ATTRIBUTES, strict=True)
        },
    }


def from_item(item: Item) -> Session:
    """to_item's inverse, for an item with or without the ABSENT_SESSION_ATTRIBUTES."""
    try:
        values = list(_in_field_order(item))
    except KeyError:
        values = list(_in_field_order({**ABSENT_SESSION_ATTRIBUTES, **item}))
    for index, read in _READ_BACK:
        values[index] = read(values[index])
    return Session(*values)


def _written(value: Any) -> Any:
    return iso(value) if isinstance(value, datetime) else value


class MentorshipRepository:
    """Reads go straight to DynamoDB; writes join the caller's unit of work."""

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def availability(self, teacher_id: str) -> Availability | None:
        item = get_item(self._client, self._table, keys.availability_key(teacher_id))
        return availability_from_document(item["availability"]) if item else None

    def save_availability(
        self, uow: UnitOfWork, teacher_id: str, availability: Availability
    ) -> None:
        uow.tx.put(
            {
                **keys.availability_key(teacher_id),
                "teacherId": teacher_id,
                "availability": as_saved(availability).wire(),
            }
        )

    def get(self, session_id: str) -> Session | None:
        item = get_item(self._client, self._table, keys.session_key(session_id))
        return from_item(item) if item else None

    def book(self, uow: UnitOfWork, session: Session) -> None:
        """The session and a lock item per 5-minute bucket of [start, end + buffer): a booking
        that overlaps another's buffered range shares a bucket, so its transaction fails."""
        uow.tx.put(to_item(session), condition="attribute_not_exists(PK)")
        for bucket in lock_buckets(session.starts_at, session.ends_at, session.buffer_minutes):
            uow.tx.put(
                {**keys.busy_key(session.teacher_id, bucket), "sessionId": session.session_id},
                condition="attribute_not_exists(PK)",
                on_condition_failed=SlotTaken,
            )

    def change_status(self, uow: UnitOfWork, session: Session) -> None:
        """Move a scheduled session on; a cancellation gives its buckets back."""
        uow.tx.update(
            keys.session_key(session.session_id),
            "SET #s = :new, updatedAt = :at",
            condition="#s = :scheduled",
            names={"#s": "status"},
            values=values(new=session.status, at=session.updated_at, scheduled=SCHEDULED),
            on_condition_failed=SessionChanged,
        )
        if session.status == CANCELLED:
            for bucket in lock_buckets(session.starts_at, session.ends_at, session.buffer_minutes):
                uow.tx.delete(
                    keys.busy_key(session.teacher_id, bucket),
                    condition="sessionId = :id",
                    values=values(id=session.session_id),
                )

    def of_user(self, role: str, user_id: str, limit: int, start: dict[str, Any] | None) -> Page:
        """A student's (GSI1) or teacher's (GSI2) sessions, soonest first."""
        index, partition = (
            ("GSI1", keys.student_partition(user_id))
            if role == "student"
            else ("GSI2", keys.teacher_partition(user_id))
        )
        page = query_page(
            self._client, self._table, index, partition, limit, start, newest_first=False
        )
        return Page([from_item(i) for i in page.items], page.last_key)

    def teacher_sessions_between(
        self, teacher_id: str, since: datetime, until: datetime
    ) -> list[Session]:
        """Scheduled sessions of a teacher starting in [since, until): a bounded range Query."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "GSI2",
            "KeyConditionExpression": "GSI2PK = :pk AND GSI2SK BETWEEN :lo AND :hi",
            "ExpressionAttributeValues": values(
                pk=keys.teacher_partition(teacher_id), lo=iso(since), hi=iso(until)
            ),
        }
        sessions = map(from_item, query_all(self._client, request))
        return [s for s in sessions if s.status == SCHEDULED]

    def upcoming(self, student_id: str, teacher_id: str) -> Upcoming:
        """The student's upcoming set with the teacher, as last written (strongly consistent)."""
        item = get_item(self._client, self._table, keys.upcoming_key(student_id, teacher_id))
        if item is None:
            return Upcoming(student_id, teacher_id)
        starts = {session_id: parse_iso(at) for session_id, at in item["sessions"].items()}
        return Upcoming(student_id, teacher_id, starts, int(item["version"]))

    def save_upcoming(self, uow: UnitOfWork, before: Upcoming, after: Upcoming) -> None:
        """Write the whole set, provided nobody wrote it since `before` was read."""
        uow.tx.put(
            {
                **keys.upcoming_key(after.student_id, after.teacher_id),
                "studentId": after.student_id,
                "teacherId": after.teacher_id,
                "sessions": {session_id: iso(at) for session_id, at in after.starts.items()},
                "version": after.version,
            },
            **_unchanged_since(before),
        )

    def guard_upcoming(self, uow: UnitOfWork, seen: Upcoming) -> None:
        """Commit only if the set is still as seen: a booking that raced is not overlooked."""
        uow.tx.check(keys.upcoming_key(seen.student_id, seen.teacher_id), **_unchanged_since(seen))

    def release_upcoming(self, uow: UnitOfWork, seen: Upcoming, session_id: str) -> None:
        """Take a cancelled session out of the set. Its version moves on, so a booking that read
        the set before writes it only after reading it again."""
        if session_id not in seen.starts:
            return  # never held there, or already pruned
        uow.tx.update(
            keys.upcoming_key(seen.student_id, seen.teacher_id),
            "REMOVE #held.#id ADD version :one",
            names={"#held": "sessions", "#id": session_id},  # SESSION is a reserved word
            values=values(one=1),
        )


def _unchanged_since(seen: Upcoming) -> dict[str, Any]:
    """The condition that the set has not been written since `seen` was read."""
    if seen.version == 0:
        return {"condition": "attribute_not_exists(PK)", "on_condition_failed": UpcomingChanged}
    return {
        "condition": "version = :v",
        "values": values(v=seen.version),
        "on_condition_failed": UpcomingChanged,
    }
