"""Wires catalog's adapters; the only place that knows the concrete classes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from catalog import handlers
from catalog.adapters.listing_cache import ListingCache
from catalog.adapters.repository import CourseRepository
from catalog.course_media import CourseMedia
from shared.clerk import ClerkClient
from shared.config import Settings
from shared.media.playback import playback_signer
from shared.media.s3 import s3_client
from shared.media.store import media_store
from shared.messaging.consumer import EventHandler
from shared.readmodels.memberships import Memberships
from shared.runtime import Runtime


@dataclass
class Catalog:
    runtime: Runtime
    courses: CourseRepository
    students: Memberships
    listing: ListingCache
    media: CourseMedia
    clerk: ClerkClient


def course_media(settings: Settings) -> CourseMedia:
    client = s3_client(settings.aws)
    return CourseMedia(
        media_store(settings, client), playback_signer(settings, client), settings.media
    )


def build(settings: Settings) -> Catalog:
    runtime = Runtime(settings)
    return Catalog(
        runtime=runtime,
        courses=CourseRepository(runtime.dynamodb, runtime.table),
        students=Memberships(runtime.dynamodb, runtime.table),
        listing=ListingCache(runtime.redis, settings.catalog_cache_seconds),
        media=course_media(settings),
        clerk=ClerkClient(settings.clerk),
    )


def event_handlers(runtime: Runtime) -> Mapping[str, EventHandler]:
    catalog = build(runtime.settings)
    routing: Mapping[str, EventHandler] = handlers.event_handlers(
        catalog.courses, catalog.students, catalog.listing, catalog.media.release
    )
    return routing
