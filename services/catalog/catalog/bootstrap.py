"""Wires catalog: its adapters, and each handler bound to the adapters it needs."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

from catalog import handlers
from catalog.adapters.listing_cache import ListingCache, RenderedPage
from catalog.adapters.repository import CourseRepository
from catalog.adapters.storage import TeacherStorage
from catalog.commands import (
    BackfillCards,
    CreateCourse,
    ListCourses,
    RemoveCourse,
    RequestVideoUpload,
    SaveCourse,
    ShowCourse,
)
from catalog.course_media import CourseMedia
from catalog.domain.access import Access
from catalog.domain.model import Course
from catalog.views import listing_page
from shared.api.courses import UploadUrl
from shared.clerk import ClerkClient
from shared.config import Settings
from shared.events.contracts import (
    CourseArchived,
    CourseDeleted,
    CoursePublished,
    CourseUpdated,
    MediaReleased,
)
from shared.media.issued_playback import IssuedPlayback
from shared.media.playback import playback_signer
from shared.media.s3 import s3_client
from shared.media.store import media_store
from shared.messaging.routing import EventHandler, on, routes
from shared.readmodels.memberships import Memberships, membership_routes
from shared.runtime import Runtime

log = logging.getLogger(__name__)
COURSE_EVENTS = (CoursePublished, CourseUpdated, CourseArchived, CourseDeleted)


@dataclass(frozen=True)
class Catalog:
    """Catalog, wired: the adapters the web reads through, and the handlers."""

    runtime: Runtime
    courses: CourseRepository
    students: Memberships
    listing: ListingCache
    media: CourseMedia
    storage: TeacherStorage
    issued_playback: IssuedPlayback
    create_course: Callable[[CreateCourse], Course]
    save_course: Callable[[SaveCourse], Course]
    remove_course: Callable[[RemoveCourse], Course]
    request_video_upload: Callable[[RequestVideoUpload], UploadUrl]
    show_course: Callable[[ShowCourse], tuple[Course, Access]]
    list_courses: Callable[[ListCourses], RenderedPage]
    backfill_cards: Callable[[BackfillCards], int]
    on_event: Mapping[str, EventHandler]
    """What the worker runs for each event type it receives."""

    @property
    def settings(self) -> Settings:
        return self.runtime.settings


def course_media(settings: Settings) -> CourseMedia:
    client = s3_client(settings.aws)
    return CourseMedia(
        media_store(settings, client), playback_signer(settings, client), settings.media
    )


def listing_cache(runtime: Runtime) -> ListingCache:
    """The listing cache in the cache Redis; off, with a warning, when there is none."""
    if runtime.cache_redis is None:
        log.warning(
            "the catalog listing cache is off: CACHE_REDIS_URL is unset or names the broker"
        )
    return ListingCache(runtime.cache_redis, runtime.settings.catalog_cache_seconds)


def event_routing(
    courses: CourseRepository,
    students: Memberships,
    listing: ListingCache,
    release: Callable[[tuple[str, ...]], None],
) -> Mapping[str, EventHandler]:
    """Each event type the worker receives, and its handler bound to these adapters."""
    refresh = partial(handlers.refresh_listing, listing_cache=listing)
    return routes(
        membership_routes(students, on_flip=partial(handlers.count_enrollment, courses=courses)),
        on(MediaReleased, partial(handlers.delete_media, release=release)),
        [on(contract, refresh) for contract in COURSE_EVENTS],
    )


def build(runtime: Runtime) -> Catalog:
    settings = runtime.settings
    courses = CourseRepository(runtime.dynamodb, runtime.table)
    students = Memberships(runtime.dynamodb, runtime.table)
    listing = listing_cache(runtime)
    media = course_media(settings)
    storage = TeacherStorage(
        runtime.dynamodb, runtime.table, settings.media.teacher_storage_quota_bytes
    )
    issued_playback = IssuedPlayback(runtime.dynamodb, runtime.table)
    unit_of_work = runtime.unit_of_work
    return Catalog(
        runtime=runtime,
        courses=courses,
        students=students,
        listing=listing,
        media=media,
        storage=storage,
        issued_playback=issued_playback,
        create_course=partial(
            handlers.create_course,
            courses=courses,
            clerk=ClerkClient(settings.clerk),
            unit_of_work=unit_of_work,
        ),
        save_course=partial(
            handlers.save_course,
            courses=courses,
            media=media,
            storage=storage,
            unit_of_work=unit_of_work,
        ),
        remove_course=partial(
            handlers.remove_course, courses=courses, storage=storage, unit_of_work=unit_of_work
        ),
        request_video_upload=partial(
            handlers.request_video_upload,
            courses=courses,
            media=media,
            storage=storage,
            max_video_bytes=settings.media.max_video_bytes,
        ),
        show_course=partial(
            handlers.show_course,
            courses=courses,
            students=students,
            issued_playback=issued_playback,
        ),
        list_courses=partial(
            handlers.list_courses,
            courses=courses,
            listing_cache=listing,
            render=partial(listing_page, media=media),
        ),
        backfill_cards=partial(handlers.backfill_cards, courses=courses, unit_of_work=unit_of_work),
        on_event=event_routing(courses, students, listing, media.release),
    )


def event_handlers(runtime: Runtime) -> Mapping[str, EventHandler]:
    """The worker's routing, bound to the worker's own runtime."""
    return build(runtime).on_event
