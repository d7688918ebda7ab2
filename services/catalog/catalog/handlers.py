"""Catalog's commands and event handlers; the routing table is at the bottom."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from catalog.adapters.repository import CourseRepository, StaleCourse
from catalog.domain.model import Course, new_draft, revise
from catalog.domain.validation import check_publishable, parse_changes
from shared.clock import now_iso
from shared.events.contracts import (
    CoursePublished,
    CourseUpdated,
    EnrollmentCreated,
    EnrollmentRevoked,
)
from shared.events.envelope import Envelope
from shared.messaging.consumer import EventHandler
from shared.messaging.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from catalog.bootstrap import Catalog

SAVE_ATTEMPTS = 3


class CourseNotFound(Exception):
    """No course with that id (or not visible to the caller)."""


class NotOwner(Exception):
    """Only the teacher who owns the course may change it."""


def create_course(app: Catalog, teacher_id: str) -> Course:
    """A new draft with the defaults the editor expects; the name comes from Clerk."""
    teacher_name = app.clerk.get_user(teacher_id).display_name
    course = new_draft(uuid.uuid4().hex, teacher_id, teacher_name, now_iso())
    uow = app.runtime.unit_of_work()
    app.courses.add(uow, course)
    uow.raise_event(CourseUpdated(course.snapshot()))
    uow.commit()
    return course


def update_course(app: Catalog, teacher_id: str, course_id: str, body: dict[str, Any]) -> Course:
    """Apply whitelisted changes; retried on a concurrent save, last writer wins."""
    changes = parse_changes(body)
    for _ in range(SAVE_ATTEMPTS):
        current = app.courses.get(course_id)
        if current is None:
            raise CourseNotFound(course_id)
        if not current.owned_by(teacher_id):
            raise NotOwner(course_id)
        updated = revise(current, changes, now_iso())
        check_publishable(updated)
        uow = app.runtime.unit_of_work()
        app.courses.replace(uow, updated, read_version=current.version)
        became_public = updated.is_public and not current.is_public
        snapshot = updated.snapshot()
        uow.raise_event(CoursePublished(snapshot) if became_public else CourseUpdated(snapshot))
        try:
            uow.commit()
        except StaleCourse:
            continue
        return updated
    raise StaleCourse(course_id)


def visible_course(app: Catalog, course_id: str, viewer_id: str | None) -> Course:
    """A published course for anyone, a draft for its owner only."""
    course = app.courses.get(course_id)
    if course is None or not (course.is_public or course.owned_by(viewer_id)):
        raise CourseNotFound(course_id)
    return course


def event_handlers(courses: CourseRepository) -> Mapping[str, EventHandler]:
    def count_enrollment(event: EnrollmentCreated, _: Envelope, uow: UnitOfWork) -> None:
        if courses.get(event.course_id) is not None:
            courses.count_enrollment(uow, event.course_id, +1)

    def count_revocation(event: EnrollmentRevoked, _: Envelope, uow: UnitOfWork) -> None:
        if courses.get(event.course_id) is not None:
            courses.count_enrollment(uow, event.course_id, -1)

    return {
        EnrollmentCreated.EVENT_TYPE: count_enrollment,
        EnrollmentRevoked.EVENT_TYPE: count_revocation,
    }
