"""Wires catalog's adapters; the only place that knows the concrete classes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from catalog import handlers
from catalog.adapters.page_cache import TtlCache
from catalog.adapters.repository import CourseRepository
from shared.clerk import ClerkClient
from shared.config import Settings
from shared.messaging.consumer import EventHandler
from shared.runtime import Runtime


@dataclass
class Catalog:
    runtime: Runtime
    courses: CourseRepository
    public_pages: TtlCache[tuple[bytes, str | None]]
    clerk: ClerkClient


def build(settings: Settings) -> Catalog:
    runtime = Runtime(settings)
    courses = CourseRepository(runtime.dynamodb, runtime.table)
    return Catalog(
        runtime=runtime,
        courses=courses,
        public_pages=TtlCache(settings.catalog_cache_seconds),
        clerk=ClerkClient(settings.clerk),
    )


def event_handlers(runtime: Runtime) -> Mapping[str, EventHandler]:
    courses = CourseRepository(runtime.dynamodb, runtime.table)
    routing: Mapping[str, EventHandler] = handlers.event_handlers(courses)
    return routing
