"""Wires enrollment's adapters; the only place that knows the concrete classes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from enrollment import handlers
from enrollment.adapters.course_progress import CourseProgressReader, course_progress_reader
from enrollment.adapters.repository import EnrollmentRepository
from shared.config import Settings
from shared.media.issued_playback import IssuedPlayback
from shared.media.playback import PlaybackSigner, playback_signer
from shared.media.s3 import s3_client
from shared.messaging.consumer import EventHandler
from shared.readmodels.course_cards import CourseCards
from shared.runtime import Runtime


@dataclass
class Learning:
    runtime: Runtime
    enrollments: EnrollmentRepository
    cards: CourseCards
    playback: PlaybackSigner
    course_progress: CourseProgressReader
    issued_playback: IssuedPlayback

    @property
    def settings(self) -> Settings:
        return self.runtime.settings


def build(settings: Settings) -> Learning:
    runtime = Runtime(settings)
    return Learning(
        runtime=runtime,
        enrollments=EnrollmentRepository(runtime.dynamodb, runtime.table),
        cards=CourseCards(runtime.dynamodb, runtime.table),
        playback=playback_signer(settings, s3_client(settings.aws)),
        course_progress=course_progress_reader(settings, runtime.dynamodb),
        issued_playback=IssuedPlayback(runtime.dynamodb, runtime.table),
    )


def event_handlers(runtime: Runtime) -> Mapping[str, EventHandler]:
    learning = build(runtime.settings)
    routing: Mapping[str, EventHandler] = handlers.event_handlers(
        learning.enrollments, learning.cards
    )
    return routing
