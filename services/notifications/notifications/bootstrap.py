"""Wires notifications' adapters; the only place that knows the concrete classes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from notifications import handlers
from notifications.adapters.directory import Directory
from notifications.adapters.mailer import ResendMailer
from notifications.adapters.repository import (
    ContactLog,
    DigestRepository,
    MailRepository,
    SessionMails,
)
from shared.clerk import ClerkClient
from shared.config import Settings
from shared.messaging.consumer import EventHandler
from shared.readmodels.course_cards import CourseCards
from shared.runtime import Runtime


@dataclass
class Notifications:
    runtime: Runtime
    mails: MailRepository
    digests: DigestRepository
    sessions: SessionMails
    contacts: ContactLog
    cards: CourseCards
    directory: Directory
    mailer: ResendMailer

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    @property
    def digest_hour(self) -> int:
        return self.settings.mail.digest_hour


def build(settings: Settings) -> Notifications:
    runtime = Runtime(settings)
    client, table = runtime.dynamodb, runtime.table
    return Notifications(
        runtime=runtime,
        mails=MailRepository(client, table),
        digests=DigestRepository(client, table),
        sessions=SessionMails(client, table),
        contacts=ContactLog(client, table),
        cards=CourseCards(client, table),
        directory=Directory(ClerkClient(settings.clerk)),
        mailer=ResendMailer(settings.mail),
    )


def event_handlers(runtime: Runtime) -> Mapping[str, EventHandler]:
    """The worker plans mails; the relay's periodic jobs send them."""
    client, table = runtime.dynamodb, runtime.table
    planner = handlers.MailPlanner(
        MailRepository(client, table), SessionMails(client, table), runtime.settings
    )
    return handlers.event_handlers(planner, CourseCards(client, table))
