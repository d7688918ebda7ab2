"""Wires mentorship: its adapters, and each handler bound to the adapters it needs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

from mentorship import handlers
from mentorship.adapters.repository import MentorshipRepository
from mentorship.adapters.video_tokens import video_token_issuer
from mentorship.commands import (
    BookSession,
    ChangeSessionStatus,
    FindOpenSlots,
    IssueVideoToken,
    SetAvailability,
    ShowSession,
)
from mentorship.domain.availability import Availability
from mentorship.domain.session import Session
from shared.clerk import ClerkClient
from shared.clock import utc_now
from shared.config import Settings
from shared.events.contracts import EnrollmentCreated, EnrollmentRevoked
from shared.messaging.routing import EventHandler, on, routes
from shared.readmodels.course_cards import CourseCards, course_card_routes
from shared.readmodels.memberships import Memberships, record_enrolled
from shared.runtime import Runtime


@dataclass(frozen=True)
class Mentorship:
    """Mentorship, wired: the adapters the web reads through, and the handlers."""

    runtime: Runtime
    repository: MentorshipRepository
    cards: CourseCards
    students: Memberships
    set_availability: Callable[[SetAvailability], Availability]
    open_slots: Callable[[FindOpenSlots], handlers.OpenSlots]
    book_session: Callable[[BookSession], Session]
    show_session: Callable[[ShowSession], Session]
    change_status: Callable[[ChangeSessionStatus], Session]
    issue_video_token: Callable[[IssueVideoToken], handlers.VideoGrant]
    on_event: Mapping[str, EventHandler]
    """What the worker runs for each event type it receives: who teaches which course (catalog
    events), who is enrolled (enrollment events); a revocation also ends the sessions it
    allowed."""

    @property
    def settings(self) -> Settings:
        return self.runtime.settings


def build(
    runtime: Runtime, *, names: ClerkClient | None = None, clock: handlers.Clock = utc_now
) -> Mentorship:
    """Mentorship on `runtime`; display names come from Clerk and time from the system clock
    unless a test passes its own."""
    settings = runtime.settings
    policy = settings.mentorship
    repository = MentorshipRepository(runtime.dynamodb, runtime.table)
    cards = CourseCards(runtime.dynamodb, runtime.table)
    students = Memberships(runtime.dynamodb, runtime.table)
    unit_of_work = runtime.unit_of_work
    return Mentorship(
        runtime=runtime,
        repository=repository,
        cards=cards,
        students=students,
        set_availability=partial(
            handlers.set_availability, repository=repository, unit_of_work=unit_of_work
        ),
        open_slots=partial(handlers.open_slots, repository=repository, cards=cards, clock=clock),
        book_session=partial(
            handlers.book_session,
            repository=repository,
            cards=cards,
            students=students,
            names=names or ClerkClient(settings.clerk),
            unit_of_work=unit_of_work,
            clock=clock,
            max_upcoming=policy.max_upcoming_per_teacher,
        ),
        show_session=partial(handlers.show_session, repository=repository),
        change_status=partial(
            handlers.change_status,
            repository=repository,
            unit_of_work=unit_of_work,
            clock=clock,
            cancel_window_hours=policy.cancel_window_hours,
        ),
        issue_video_token=partial(
            handlers.issue_video_token,
            repository=repository,
            students=students,
            video=video_token_issuer(policy.agora_app_id, policy.agora_app_certificate),
            clock=clock,
            lead_minutes=policy.token_lead_minutes,
            grace_minutes=policy.token_grace_minutes,
        ),
        on_event=routes(
            course_card_routes(cards),
            on(EnrollmentCreated, partial(record_enrolled, memberships=students)),
            on(  # keeps the membership itself, then cancels what the student no longer holds
                EnrollmentRevoked,
                partial(
                    handlers.end_access,
                    repository=repository,
                    cards=cards,
                    students=students,
                    unit_of_work=unit_of_work,
                    clock=clock,
                ),
            ),
        ),
    )


def event_handlers(runtime: Runtime) -> Mapping[str, EventHandler]:
    """The worker's routing, bound to the worker's own runtime."""
    return build(runtime).on_event
