"""Catalog's handlers: each takes its command (or event) and only what it needs."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import suppress
from functools import partial
from typing import TypeVar

from catalog.adapters.listing_cache import ListingCache, RenderedPage
from catalog.adapters.repository import CourseRepository, Page, StaleCourse
from catalog.adapters.storage import OverQuota, TeacherStorage
from catalog.commands import (
    BackfillCards,
    CreateCourse,
    ImageChange,
    ListCourses,
    RemoveCourse,
    RequestVideoUpload,
    SaveCourse,
    ShowCourse,
)
from catalog.course_media import CourseMedia, Upload
from catalog.domain.access import Access
from catalog.domain.media import upload_request
from catalog.domain.model import Course, account_media, archive, deleted, new_draft, revise
from catalog.domain.validation import CourseInvalid, changes_of, check_publishable
from catalog.errors import CourseIsArchived, CourseNotFound, NotOwner
from catalog.save_writes import SaveWrites
from shared.api.courses import UploadUrl
from shared.clerk import ClerkClient
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
from shared.media.issued_playback import IssuedPlayback
from shared.messaging.unit_of_work import UnitOfWork
from shared.readmodels.memberships import Memberships
from shared.retry import retry_on_conflict

SAVE_ATTEMPTS = 3
T = TypeVar("T")


def create_course(
    command: CreateCourse,
    *,
    courses: CourseRepository,
    clerk: ClerkClient,
    unit_of_work: Callable[[], UnitOfWork],
) -> Course:
    """A new draft with the defaults the editor expects; the name comes from Clerk."""
    teacher_name = clerk.get_user(command.teacher_id).display_name
    course = new_draft(uuid.uuid4().hex, command.teacher_id, teacher_name, now_iso())
    uow = unit_of_work()
    courses.add(uow, course)
    uow.raise_event(CourseUpdated(course=course.snapshot()))
    uow.commit()
    return course


def _owned(courses: CourseRepository, teacher_id: str, course_id: str) -> Course:
    """The caller's own course, open for changes."""
    course = courses.get(course_id)
    if course is None:
        raise CourseNotFound(course_id)
    if not course.owned_by(teacher_id):
        raise NotOwner(course_id)
    if course.is_archived:
        raise CourseIsArchived(course_id)
    return course


def save_course(
    command: SaveCourse,
    *,
    courses: CourseRepository,
    media: CourseMedia,
    storage: TeacherStorage,
    unit_of_work: Callable[[], UnitOfWork],
) -> Course:
    """Apply the changes, uploaded videos checked and moved out of staging and a new
    thumbnail stored, within the teacher's storage quota; retried on a concurrent save (last
    writer wins). Media the course stops using, and the staged uploads it kept, are released."""
    teacher_id, course_id = command.teacher_id, command.course_id
    changes = changes_of(command.edit, course_id)
    writes = SaveWrites(media, course_id)

    def save(_attempt: int) -> Course:
        current = _owned(courses, teacher_id, course_id)
        updated, uploads = _revised(media, current, changes, command.image, writes)
        storage.ensure_room(teacher_id, updated.stored_bytes - current.stored_bytes)
        writes.keep(uploads)
        uow = unit_of_work()
        _stage_save(uow, courses, storage, current, updated)
        _release(uow, course_id, (current.media_keys - updated.media_keys) | _staged(uploads))
        try:
            uow.commit()
        except OverQuota:
            raise storage.exceeded(teacher_id) from None
        return updated

    try:
        return _until_saved(save, course_id)
    except BaseException:
        writes.discard(lambda: _media_of(courses, course_id))
        raise


def _until_saved(save: Callable[[int], T], course_id: str) -> T:
    """`save` run again while the course changes under it; StaleCourse after SAVE_ATTEMPTS."""
    return retry_on_conflict(
        save,
        conflicts=(StaleCourse,),
        attempts=SAVE_ATTEMPTS,
        give_up=lambda _: StaleCourse(course_id),
    )


def _media_of(courses: CourseRepository, course_id: str) -> frozenset[str]:
    course = courses.get(course_id)
    return course.media_keys if course else frozenset()


def _staged(uploads: tuple[Upload, ...]) -> frozenset[str]:
    return frozenset(upload.staged for upload in uploads)


def _revised(
    media: CourseMedia,
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
        revision["sections"], uploads = media.resolve_videos(
            current.course_id, sections, current.video_keys
        )
    if image.reference and media.image_key(image.reference) != current.image:
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


def _stage_save(
    uow: UnitOfWork,
    courses: CourseRepository,
    storage: TeacherStorage,
    current: Course,
    updated: Course,
) -> None:
    """The course replaced, the teacher's stored bytes charged, and the event saying so."""
    courses.replace(uow, updated, current)
    storage.charge(uow, updated.teacher_id, updated.stored_bytes - current.stored_bytes)
    became_public = updated.is_public and not current.is_public
    event_class = CoursePublished if became_public else CourseUpdated
    uow.raise_event(event_class(course=updated.snapshot()))


def _release(uow: UnitOfWork, course_id: str, keys: frozenset[str]) -> None:
    if keys:
        uow.raise_event(MediaReleased(course_id=course_id, keys=tuple(sorted(keys))))


def remove_course(
    command: RemoveCourse,
    *,
    courses: CourseRepository,
    storage: TeacherStorage,
    unit_of_work: Callable[[], UnitOfWork],
) -> Course:
    """Archive a course that has students; delete one that has none, with its media."""
    teacher_id, course_id = command.teacher_id, command.course_id

    def remove(_attempt: int) -> Course:
        current = courses.get(course_id)
        if current is None:
            raise CourseNotFound(course_id)
        if not current.owned_by(teacher_id):
            raise NotOwner(course_id)
        if current.is_archived:
            return current
        uow = unit_of_work()
        if current.enrollment_count > 0:
            result = archive(current, now_iso())
            courses.replace(uow, result, current)
            uow.raise_event(CourseArchived(course=result.snapshot()))
        else:
            result = deleted(current, now_iso())
            courses.remove(uow, current)
            uow.raise_event(CourseDeleted(course=result.snapshot()))
            storage.charge(uow, current.teacher_id, -current.stored_bytes)
            _release(uow, course_id, current.media_keys)
        uow.commit()
        return result

    return _until_saved(remove, course_id)


def request_video_upload(
    command: RequestVideoUpload,
    *,
    courses: CourseRepository,
    media: CourseMedia,
    storage: TeacherStorage,
    max_video_bytes: int,
) -> UploadUrl:
    """Presigned uploads of a chapter's video into staging; the chapter need not be saved yet.
    A declared `fileSize` must fit the video limit and what is left of the teacher's quota."""
    _owned(courses, command.teacher_id, command.course_id)
    request = upload_request(
        command.section_id,
        command.chapter_id,
        command.file_name,
        command.file_type,
        command.file_size,
        max_video_bytes,
    )
    storage.ensure_room(command.teacher_id, request.size or 1)
    return media.upload_urls(command.course_id, request)


def _visible(
    courses: CourseRepository, students: Memberships, course_id: str, viewer_id: str | None
) -> tuple[Course, Access]:
    """A published course for anyone; a draft for its owner; an archived one for its owner and
    students. The owner and enrolled students get every chapter, others the free previews."""
    course = courses.get(course_id)
    if course is None:
        raise CourseNotFound(course_id)
    if course.owned_by(viewer_id):
        return course, Access.FULL
    enrolled = viewer_id is not None and students.is_active(course_id, viewer_id)
    if enrolled and (course.is_public or course.is_archived):
        return course, Access.FULL
    if not course.is_public:
        raise CourseNotFound(course_id)
    return course, Access.PREVIEW


def show_course(
    query: ShowCourse,
    *,
    courses: CourseRepository,
    students: Memberships,
    issued_playback: IssuedPlayback,
) -> tuple[Course, Access]:
    """The course and how much of it the viewer may have; the paid videos a page hands an
    enrolled student are recorded first (billing's refund rule counts them), the owner's are
    not."""
    viewer_id = query.viewer_id
    course, access = _visible(courses, students, query.course_id, viewer_id)
    if query.inline_videos and viewer_id is not None and not course.owned_by(viewer_id):
        paid = access.videos(course) & course.paid_videos
        issued_playback.record(query.course_id, viewer_id, paid)
    return course, access


def list_courses(
    query: ListCourses,
    *,
    courses: CourseRepository,
    listing_cache: ListingCache,
    render: Callable[[Page], RenderedPage],
) -> RenderedPage:
    """Published course cards, newest first, optionally of a category and matching every
    search word. The pages a plain browse reaches come from the listing cache, which course
    events invalidate; `render` makes a page as it is served (and cached)."""
    listing = query.listing

    def read() -> RenderedPage:
        if listing.terms:
            page = courses.search(listing.terms, listing.category, listing.limit, query.start)
        else:
            page = courses.published(listing.category, listing.limit, query.start)
        return render(page)

    return listing_cache.page(listing.shared_key, query.cursor, read)


def backfill_cards(
    command: BackfillCards, *, courses: CourseRepository, unit_of_work: Callable[[], UnitOfWork]
) -> int:
    """Write the card of each of these courses saved before cards existed; how many were
    written. Idempotent: a course that has its card is left alone, one that changes meanwhile is
    read again."""
    written = 0
    for course_id in command.course_ids:
        with suppress(ConditionFailed):  # still changing after SAVE_ATTEMPTS: skipped, uncounted
            written += retry_on_conflict(
                partial(_adopt_card, courses, unit_of_work, course_id),
                conflicts=(ConditionFailed,),
                attempts=SAVE_ATTEMPTS,
            )
    return written


def _adopt_card(
    courses: CourseRepository,
    unit_of_work: Callable[[], UnitOfWork],
    course_id: str,
    _attempt: int,
) -> int:
    """Write the card of the course unless it has one or is gone; how many were written."""
    course = courses.get(course_id)
    if course is None or courses.card(course_id) is not None:
        return 0
    uow = unit_of_work()
    courses.adopt_card(uow, course)
    uow.commit()
    return 1


def count_enrollment(
    uow: UnitOfWork, course_id: str, enrolled: bool, *, courses: CourseRepository
) -> None:
    """A student's standing flipped: count them in or out of the course's enrollments. The
    first run assumes the course and its card are there (the counts' `attribute_exists`
    conditions hold it to that); the next run reads first, since the course may be gone or have
    no card yet."""
    delta = +1 if enrolled else -1
    if uow.optimistic:
        courses.count_enrollment(uow, course_id, delta)
    else:
        courses.count_enrollment_checked(uow, course_id, delta)


def refresh_listing(
    _event: object, _envelope: Envelope, _uow: UnitOfWork, *, listing_cache: ListingCache
) -> None:
    """A course changed: cached listing pages are not served again."""
    listing_cache.invalidate()


def delete_media(
    event: MediaReleased,
    _envelope: Envelope,
    _uow: UnitOfWork,
    *,
    release: Callable[[tuple[str, ...]], None],
) -> None:
    """Objects no course references any more leave the bucket."""
    release(event.keys)
