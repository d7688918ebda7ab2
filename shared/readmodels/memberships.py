"""Who is enrolled in which course, kept by a consuming service from enrollment events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from shared.dynamo.codec import values
from shared.dynamo.keys import compose, key
from shared.dynamo.reads import get_item
from shared.events.contracts import EnrollmentCreated, EnrollmentRevoked
from shared.events.envelope import Envelope
from shared.messaging.routing import Route, on
from shared.messaging.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Membership:
    """A student's standing in a course as of the latest enrollment event."""

    active: bool
    at: str


def membership_key(course_id: str, user_id: str) -> dict[str, str]:
    return key(compose("COURSE", course_id), compose("STUDENT", user_id))


class Memberships:
    """One item per (course, student) in the consuming service's own table."""

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def get(self, course_id: str, user_id: str) -> Membership | None:
        item = get_item(self._client, self._table, membership_key(course_id, user_id))
        return Membership(active=bool(item["active"]), at=item["at"]) if item else None

    def is_active(self, course_id: str, user_id: str) -> bool:
        membership = self.get(course_id, user_id)
        return membership is not None and membership.active

    def require_active(
        self, uow: UnitOfWork, course_id: str, user_id: str, lost: type[Exception]
    ) -> None:
        """Commit only if the student is still enrolled then (a revocation that races wins);
        `lost` is raised otherwise."""
        uow.tx.check(
            membership_key(course_id, user_id),
            "active = :yes",
            values=values(yes=True),
            on_condition_failed=lost,
        )

    def record(self, uow: UnitOfWork, course_id: str, user_id: str, new: Membership) -> bool:
        """Keep the newer standing (an older event loses, checked again at commit); True when
        the student's access flipped. An optimistic first run of an enrollment assumes no standing
        yet, without reading (the put's condition holds it to that); a revocation always reads,
        since it almost always finds one."""
        if uow.optimistic and new.active:
            uow.tx.put(
                {**membership_key(course_id, user_id), "active": new.active, "at": new.at},
                condition="attribute_not_exists(PK)",
            )
            return new.active
        old = self.get(course_id, user_id)
        if old is not None and old.at >= new.at:
            return False
        uow.tx.put(
            {**membership_key(course_id, user_id), "active": new.active, "at": new.at},
            condition="attribute_not_exists(PK) OR #at < :at",
            names={"#at": "at"},
            values=values(at=new.at),
        )
        return (old is not None and old.active) != new.active


Flipped = Callable[[UnitOfWork, str, bool], None]
"""Called in the same unit of work when a student's access to a course flips on or off."""


def record_enrolled(
    event: EnrollmentCreated,
    _envelope: Envelope,
    uow: UnitOfWork,
    *,
    memberships: Memberships,
    on_flip: Flipped | None = None,
) -> None:
    """The student holds the course as of the grant (a later revocation still wins)."""
    _record(
        uow,
        event.course_id,
        event.user_id,
        Membership(True, event.enrolled_at),
        memberships,
        on_flip,
    )


def record_revoked(
    event: EnrollmentRevoked,
    _envelope: Envelope,
    uow: UnitOfWork,
    *,
    memberships: Memberships,
    on_flip: Flipped | None = None,
) -> None:
    """The student no longer holds the course as of the revocation (a later grant still wins)."""
    _record(
        uow,
        event.course_id,
        event.user_id,
        Membership(False, event.revoked_at),
        memberships,
        on_flip,
    )


def _record(
    uow: UnitOfWork,
    course_id: str,
    user_id: str,
    new: Membership,
    memberships: Memberships,
    on_flip: Flipped | None,
) -> None:
    if memberships.record(uow, course_id, user_id, new) and on_flip is not None:
        on_flip(uow, course_id, new.active)


def membership_routes(memberships: Memberships, on_flip: Flipped | None = None) -> list[Route[Any]]:
    """The routes that keep memberships current, whatever order the events arrive in."""
    return [
        on(EnrollmentCreated, partial(record_enrolled, memberships=memberships, on_flip=on_flip)),
        on(EnrollmentRevoked, partial(record_revoked, memberships=memberships, on_flip=on_flip)),
    ]
