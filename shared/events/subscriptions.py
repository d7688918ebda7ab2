"""Which services consume which event types: one copy per subscriber queue."""

from __future__ import annotations

COURSE_READERS = ("billing", "enrollment", "catalog", "mentorship", "notifications")
"""Services that keep their own copy of course cards."""

SUBSCRIPTIONS: dict[str, tuple[str, ...]] = {
    "catalog.course.published.v1": COURSE_READERS,
    "catalog.course.updated.v1": COURSE_READERS,
    "catalog.course.archived.v1": COURSE_READERS,
    "catalog.course.deleted.v1": COURSE_READERS,
    "catalog.media.released.v1": ("catalog",),
    "billing.payment.succeeded.v1": ("enrollment", "notifications"),
    "billing.payment.failed.v1": (),
    "billing.refund.succeeded.v1": ("enrollment", "notifications"),
    "enrollment.enrollment.created.v1": ("catalog", "mentorship", "chat"),
    "enrollment.enrollment.revoked.v1": ("catalog", "mentorship", "chat"),
    "enrollment.chapter.completed.v1": (),
    "enrollment.course.completed.v1": ("notifications",),
    "mentorship.session.booked.v1": ("chat", "notifications"),
    "mentorship.session.cancelled.v1": ("chat", "notifications"),
    "mentorship.session.completed.v1": ("chat",),
}


def subscribers(event_type: str) -> tuple[str, ...]:
    return SUBSCRIPTIONS.get(event_type, ())


def queue_name(service: str) -> str:
    return f"{service}.events"


def task_name(service: str) -> str:
    return f"{service}.handle_event"


def subscribed_types(service: str) -> frozenset[str]:
    return frozenset(t for t, services in SUBSCRIPTIONS.items() if service in services)
