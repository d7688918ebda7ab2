"""Wires catalog's adapters; the only place that knows the concrete classes."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from catalog import handlers
from catalog.adapters.listing_cache import ListingCache
from catalog.adapters.repository import CourseRepository
from catalog.adapters.storage import TeacherStorage
from catalog.course_media import CourseMedia
from shared.clerk import ClerkClient
from shared.config import Settings
from shared.media.issued_playback import IssuedPlayback
from shared.media.playback import playback_signer
from shared.media.s3 import s3_client
from shared.media.store import media_store
from shared.messaging.consumer import EventHandler
from shared.readmodels.memberships import Memberships
from shared.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass
class Catalog:
    runtime: Runtime
    courses: CourseRepository
    students: Memberships
    listing: ListingCache
    media: CourseMedia
    storage: TeacherStorage
    clerk: ClerkClient
    issued_playback: IssuedPlayback


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


def build(settings: Settings) -> Catalog:
    runtime = Runtime(settings)
    return Catalog(
        runtime=runtime,
        courses=CourseRepository(runtime.dynamodb, runtime.table),
        students=Memberships(runtime.dynamodb, runtime.table),
        listing=listing_cache(runtime),
        media=course_media(settings),
        storage=TeacherStorage(
            runtime.dynamodb, runtime.table, settings.media.teacher_storage_quota_bytes
        ),
        clerk=ClerkClient(settings.clerk),
        issued_playback=IssuedPlayback(runtime.dynamodb, runtime.table),
    )


def event_handlers(runtime: Runtime) -> Mapping[str, EventHandler]:
    catalog = build(runtime.settings)
    routing: Mapping[str, EventHandler] = handlers.event_handlers(
        catalog.courses, catalog.students, catalog.listing, catalog.media.release
    )
    return routing
