"""Wires mentorship's adapters; the only place that knows the concrete classes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mentorship import handlers
from mentorship.adapters.repository import MentorshipRepository
from mentorship.adapters.video_tokens import VideoTokenIssuer, video_token_issuer
from shared.clerk import ClerkClient
from shared.config import Settings
from shared.messaging.consumer import EventHandler
from shared.readmodels.course_cards import CourseCards
from shared.readmodels.memberships import Memberships
from shared.runtime import Runtime


@dataclass
class Mentorship:
    runtime: Runtime
    repository: MentorshipRepository
    cards: CourseCards
    students: Memberships
    clerk: ClerkClient
    video: VideoTokenIssuer

    @property
    def settings(self) -> Settings:
        return self.runtime.settings


def build(settings: Settings) -> Mentorship:
    runtime = Runtime(settings)
    client, table = runtime.dynamodb, runtime.table
    policy = settings.mentorship
    return Mentorship(
        runtime=runtime,
        repository=MentorshipRepository(client, table),
        cards=CourseCards(client, table),
        students=Memberships(client, table),
        clerk=ClerkClient(settings.clerk),
        video=video_token_issuer(policy.agora_app_id, policy.agora_app_certificate),
    )


def event_handlers(runtime: Runtime) -> Mapping[str, EventHandler]:
    return handlers.event_handlers(build(runtime.settings))
