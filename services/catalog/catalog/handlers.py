"""Catalog's commands and event handlers; the routing table is at the bottom."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from catalog.adapters.listing_cache import ListingCache
from catalog.adapters.repository import CourseRepository, StaleCourse
from catalog.adapters.storage import OverQuota
from catalog.course_media import Thumbnail, Upload
from catalog.domain.access import Access
from catalog.domain.media import upload_request
from catalog.domain.model import Course, account_media, archive, deleted, new_draft, revise
from catalog.domain.validation import CourseInvalid, check_publishable, parse_changes
from catalog.save_writes import SaveWrites
from shared.clock import now_iso
from shared.dynamo.transaction import ConditionFailed
from shared.events.contracts import (
    CourseArchived,
    CourseDeleted,
    CoursePublished,
    CourseUpdated,
    MediaReleased,
)
from shared.events.envelope import Envelope
from shared.messaging.consumer import EventHandler
from shared.messaging.unit_of_work import UnitOfWork
from shared.readmodels.memberships import Memberships, membership_handlers
from shared.retry import retry_on_conflict

if TYPE_CHECKING:
    from catalog.bootstrap import Catalog

log = logging.getLogger(__name__)
SAVE_ATTEMPTS = 3
T = TypeVar("T")


class CourseNotFound(Exception):
    """No course with that id (or not visible to the caller)."""


class NotOwner(Exception):
    """Only the teacher who owns the course may change it."""


class CourseIsArchived(Exception):
    """An archived course stays as its students bought it: no more edits or uploads."""


@dataclass(frozen=True)
class ImageChange:
    """What a save does to the thumbnail: keep it, drop it, or replace it with an upload."""

    upload: Thumbnail | None = None
    remove: bool = False
    reference: str | None = None
    """A thumbnail reference sent back unchanged (checked to be the current one)."""


def create_course(app: Catalog, teacher_id: str) -> Course:
    """A new draft with the defaults the editor expects; the name comes from Clerk."""
    teacher_name = app.clerk.get_user(teacher_id).display_name
    course = new_draft(uuid.uuid4().hex, teacher_id, teacher_name, now_iso())
    uow = app.runtime.unit_of_work()
    app.courses.add(uow, course)
    uow.raise_event(CourseUpdated(course=course.snapshot()))
    uow.commit()
    return course


def owned_course(app: Catalog, teacher_id: str, course_id: str) -> Course:
    """The caller's own course, open for changes."""
    course = app.courses.get(course_id)
    if course is None:
        raise CourseNotFound(course_id)
    if not course.owned_by(teacher_id):
        raise NotOwner(course_id)
    if course.is_archived:
        raise CourseIsArchived(course_id)
    return course


def update_course(
    app: Catalog, teacher_id: str, course_id: str, body: dict[str, Any], image: ImageChange
) -> Course:
    """Apply whitelisted changes, uploaded videos checked and moved out of staging and a new
    thumbnail stored, within the teacher's storage quota; retried on a concurrent save (last
    writer wins). Media the course stops using, and the staged uploads it kept, are released."""
    changes = parse_changes(body, course_id)
    writes = SaveWrites(app.media, course_id)

    def save(_attempt: int) -> Course:
        current = owned_course(app, teacher_id, course_id)
        updated, uploads = _revised(app, current, changes, image, writes)
        app.storage.ensure_room(teacher_id, updated.stored_bytes - current.stored_bytes)
        writes.keep(uploads)
        try:
            _save(app, current, updated, frozenset(u.staged for u in uploads))
        except OverQuota:
            raise app.storage.exceeded(teacher_id) from None
        return updated

    try:
        return _until_saved(save, course_id)
    except BaseException:
        writes.discard(lambda: _media_of(app, course_id))
        raise


def _until_saved(save: Callable[[int], T], course_id: str) -> T:
    """`save` run again while the course changes under it; StaleCourse after SAVE_ATTEMPTS."""
    return retry_on_conflict(
        save,
        conflicts=(StaleCourse,),
        attempts=SAVE_ATTEMPTS,
        give_up=lambda _: StaleCourse(course_id),
    )


def _media_of(app: Catalog, course_id: str) -> frozenset[str]:
    course = app.courses.get(course_id)
    return course.media_keys if course else frozenset()


def _revised(
    app: Catalog,
    current: Course,
    changes: dict[str, object],
    image: ImageChange,
    writes: SaveWrites,
) -> tuple[Course, tuple[Upload, ...]]:
    """`current` with the changes, videos resolved to the keys it keeps and media counted,
    and the staged uploads the save has to keep."""
    revision = dict(changes)
    uploads: tuple[Upload, ...] = ()
    sections = changes.get("sections")
    if isinstance(sections, tuple):
        revision["sections"], uploads = app.media.resolve_videos(
            current.course_id, sections, current.video_keys
        )
    if image.reference and app.media.image_key(image.reference) != current.image:
        raise CourseInvalid({"image": "must be uploaded as a file to change it"})
    updated = revise(current, revision, now_iso())
    check_publishable(updated)
    sizes = {upload.kept: upload.size for upload in uploads}
    if image.upload:
        stored_image = writes.thumbnail(image.upload)
        sizes[stored_image] = image.upload.size
        updated = revise(current, {**revision, "image": stored_image}, updated.updated_at)
    elif image.remove:
        updated = revise(current, {**revision, "image": None}, updated.updated_at)
    return account_media(updated, sizes), uploads


def _save(app: Catalog, current: Course, updated: Course, staged: frozenset[str]) -> None:
    uow = app.runtime.unit_of_work()
    app.courses.replace(uow, updated, current)
    app.storage.charge(uow, updated.teacher_id, updated.stored_bytes - current.stored_bytes)
    became_public = updated.is_public and not current.is_public
    snapshot = updated.snapshot()
    event_class = CoursePublished if became_public else CourseUpdated
    uow.raise_event(event_class(course=snapshot))
    _release(uow, updated.course_id, (current.media_keys - updated.media_keys) | staged)
    uow.commit()


def _release(uow: UnitOfWork, course_id: str, keys: frozenset[str]) -> None:
    if keys:
        uow.raise_event(MediaReleased(course_id=course_id, keys=tuple(sorted(keys))))


def remove_course(app: Catalog, teacher_id: str, course_id: str) -> Course:
    """Archive a course that has students; delete one that has none, with its media."""

    def remove(_attempt: int) -> Course:
        current = app.courses.get(course_id)
        if current is None:
            raise CourseNotFound(course_id)
        if not current.owned_by(teacher_id):
            raise NotOwner(course_id)
        if current.is_archived:
            return current
        uow = app.runtime.unit_of_work()
        if current.enrollment_count > 0:
            result = archive(current, now_iso())
            app.courses.replace(uow, result, current)
            uow.raise_event(CourseArchived(course=result.snapshot()))
        else:
            result = deleted(current, now_iso())
            app.courses.remove(uow, current)
            uow.raise_event(CourseDeleted(course=result.snapshot()))
            app.storage.charge(uow, current.teacher_id, -current.stored_bytes)
            _release(uow, course_id, current.media_keys)
        uow.commit()
        return result

    return _until_saved(remove, course_id)


def upload_url(
    app: Catalog,
    teacher_id: str,
    course_id: str,
    section_id: str,
    chapter_id: str,
    body: dict[str, Any],
) -> dict[str, Any]:
    """Presigned uploads of a chapter's video into staging; the chapter need not be saved yet.
    A declared `fileSize` must fit the video limit and what is left of the teacher's quota."""
    owned_course(app, teacher_id, course_id)
    limit = app.runtime.settings.media.max_video_bytes
    request = upload_request(section_id, chapter_id, body, limit)
    app.storage.ensure_room(teacher_id, request.size or 1)
    return app.media.upload_urls(course_id, request)


def visible_course(app: Catalog, course_id: str, viewer_id: str | None) -> tuple[Course, Access]:
    """A published course for anyone; a draft for its owner; an archived one for its owner and
    students. The owner and enrolled students get every chapter, others the free previews."""
    course = app.courses.get(course_id)
    if course is None:
        raise CourseNotFound(course_id)
    if course.owned_by(viewer_id):
        return course, Access.FULL
    enrolled = viewer_id is not None and app.students.is_active(course_id, viewer_id)
    if enrolled and (course.is_public or course.is_archived):
        return course, Access.FULL
    if not course.is_public:
        raise CourseNotFound(course_id)
    return course, Access.PREVIEW


def course_page(
    app: Catalog, course_id: str, viewer_id: str | None, inline_videos: bool
) -> tuple[Course, Access]:
    """The course as `visible_course` opens it; the paid videos it hands an enrolled student
    are recorded first (billing's refund rule counts them), the owner's are not."""
    course, access = visible_course(app, course_id, viewer_id)
    if inline_videos and viewer_id is not None and not course.owned_by(viewer_id):
        paid = access.videos(course) & course.paid_videos
        app.issued_playback.record(course_id, viewer_id, paid)
    return course, access


def backfill_cards(app: Catalog, course_ids: Iterable[str]) -> int:
    """Write the card of each of these courses saved before cards existed; how many were
    written. Idempotent: a course that has its card is left alone, one that changes meanwhile is
    read again."""
    written = 0
    for course_id in course_ids:
        with suppress(ConditionFailed):  # still changing after SAVE_ATTEMPTS: skipped, uncounted
            written += retry_on_conflict(
                partial(_adopt_card, app, course_id),
                conflicts=(ConditionFailed,),
                attempts=SAVE_ATTEMPTS,
            )
    return written


def _adopt_card(app: Catalog, course_id: str, _attempt: int) -> int:
    """Write the card of the course unless it has one or is gone; how many were written."""
    course = app.courses.get(course_id)
    if course is None or app.courses.card(course_id) is not None:
        return 0
    uow = app.runtime.unit_of_work()
    app.courses.adopt_card(uow, course)
    uow.commit()
    return 1


def event_handlers(
    courses: CourseRepository,
    students: Memberships,
    listing: ListingCache,
    release: Callable[[tuple[str, ...]], None],
) -> Mapping[str, EventHandler]:
    def count(uow: UnitOfWork, course_id: str, enrolled: bool) -> None:
        # optimistic: the course and its card are there (the counts' `attribute_exists`
        # conditions say so); else read first: the course may be gone, or have no card yet
        delta = +1 if enrolled else -1
        if uow.optimistic:
            courses.count_enrollment(uow, course_id, delta)
        else:
            courses.count_enrollment_checked(uow, course_id, delta)

    def refresh_listing(_event: object, _envelope: Envelope, _uow: UnitOfWork) -> None:
        listing.invalidate()

    def delete_media(event: MediaReleased, _: Envelope, _uow: UnitOfWork) -> None:
        release(event.keys)

    course_events = (CoursePublished, CourseUpdated, CourseArchived, CourseDeleted)
    return {
        **membership_handlers(students, on_flip=count),
        MediaReleased.EVENT_TYPE: delete_media,
        **{cls.EVENT_TYPE: refresh_listing for cls in course_events},
    }
