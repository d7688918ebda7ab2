"""Every integration event, one frozen pydantic model each, and the registry of their types."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict


class Contract(BaseModel):
    """An immutable event contract or a part of one, typed strictly: a value of another type, a
    null where the field is not optional or a missing field without a default is refused. A
    field the model does not declare is ignored, so an event from a newer producer that carries
    a field this consumer does not know yet still decodes."""

    model_config = ConfigDict(frozen=True, strict=True, extra="ignore")


class Event(Contract, ABC):
    """An integration event: `EVENT_TYPE` names it on the wire, `aggregate_id` keys it (every
    event class must say which field; one that does not cannot be built)."""

    EVENT_TYPE: ClassVar[str]

    @property
    @abstractmethod
    def aggregate_id(self) -> str: ...


# ---- catalog ---------------------------------------------------------------------------------


class ChapterOutline(Contract):
    chapter_id: str
    title: str
    type: str
    free_preview: bool
    video_key: str | None


class SectionOutline(Contract):
    section_id: str
    title: str
    chapters: tuple[ChapterOutline, ...]


class CourseSnapshot(Contract):
    """The whole public card and outline of a course at one version."""

    course_id: str
    version: int
    teacher_id: str
    teacher_name: str
    title: str
    description: str
    category: str
    level: str
    image_key: str | None
    price: int
    currency: str
    status: str
    sections: tuple[SectionOutline, ...]
    created_at: str
    updated_at: str


class CoursePublished(Event):
    """A course became visible in the catalog (catalog emits; key: course.course_id)."""

    EVENT_TYPE: ClassVar[str] = "catalog.course.published.v1"
    course: CourseSnapshot

    @property
    def aggregate_id(self) -> str:
        return self.course.course_id


class CourseUpdated(Event):
    """A course's card or outline changed, draft or published (catalog emits)."""

    EVENT_TYPE: ClassVar[str] = "catalog.course.updated.v1"
    course: CourseSnapshot

    @property
    def aggregate_id(self) -> str:
        return self.course.course_id


class CourseArchived(Event):
    """A course left the catalog; enrolled students keep access (catalog emits)."""

    EVENT_TYPE: ClassVar[str] = "catalog.course.archived.v1"
    course: CourseSnapshot

    @property
    def aggregate_id(self) -> str:
        return self.course.course_id


class CourseDeleted(Event):
    """A course without students was deleted; its snapshot carries status "Deleted" (catalog
    emits)."""

    EVENT_TYPE: ClassVar[str] = "catalog.course.deleted.v1"
    course: CourseSnapshot

    @property
    def aggregate_id(self) -> str:
        return self.course.course_id


class MediaReleased(Event):
    """Stored objects no course references any more, to delete from S3 (catalog emits and
    consumes it, so a deletion is retried like any event instead of being lost)."""

    EVENT_TYPE: ClassVar[str] = "catalog.media.released.v1"
    course_id: str
    keys: tuple[str, ...]

    @property
    def aggregate_id(self) -> str:
        return self.course_id


# ---- billing ---------------------------------------------------------------------------------


class PaymentSucceeded(Event):
    """An order was paid; the buyer must be enrolled (billing emits; key: order_id)."""

    EVENT_TYPE: ClassVar[str] = "billing.payment.succeeded.v1"
    order_id: str
    user_id: str
    course_id: str
    amount: int
    currency: str
    provider_payment_id: str
    paid_at: str
    course_title: str = ""
    """The title the order was bought under (the receipt names it); "" in events from before."""

    @property
    def aggregate_id(self) -> str:
        return self.order_id


class PaymentFailed(Event):
    """A payment attempt failed or was dropped and nothing succeeded (billing emits)."""

    EVENT_TYPE: ClassVar[str] = "billing.payment.failed.v1"
    order_id: str
    user_id: str
    course_id: str
    provider_payment_id: str
    payment_status: str
    reason: str | None

    @property
    def aggregate_id(self) -> str:
        return self.order_id


class RefundSucceeded(Event):
    """Money went back to the buyer; access must be revoked (billing emits)."""

    EVENT_TYPE: ClassVar[str] = "billing.refund.succeeded.v1"
    order_id: str
    refund_id: str
    user_id: str
    course_id: str
    amount: int
    currency: str
    refunded_at: str
    kind: str = "requested"
    """Why: `requested` by the buyer, `duplicate_payment` (the course stays theirs), `provider`."""

    @property
    def aggregate_id(self) -> str:
        return self.order_id


# ---- enrollment ------------------------------------------------------------------------------


class EnrollmentCreated(Event):
    """A student was enrolled in a course (enrollment emits; key: user_id + course_id)."""

    EVENT_TYPE: ClassVar[str] = "enrollment.enrollment.created.v1"
    user_id: str
    course_id: str
    order_id: str
    enrolled_at: str

    @property
    def aggregate_id(self) -> str:
        return f"{self.user_id}:{self.course_id}"


class EnrollmentRevoked(Event):
    """A student's access to a course ended, e.g. after a refund (enrollment emits)."""

    EVENT_TYPE: ClassVar[str] = "enrollment.enrollment.revoked.v1"
    user_id: str
    course_id: str
    reason: str
    revoked_at: str

    @property
    def aggregate_id(self) -> str:
        return f"{self.user_id}:{self.course_id}"


class ChapterCompleted(Event):
    """A student completed a chapter, once per student and chapter (enrollment emits)."""

    EVENT_TYPE: ClassVar[str] = "enrollment.chapter.completed.v1"
    user_id: str
    course_id: str
    chapter_id: str
    completed_at: str

    @property
    def aggregate_id(self) -> str:
        return f"{self.user_id}:{self.course_id}"


class CourseCompleted(Event):
    """A student completed every chapter of a course, once (enrollment emits)."""

    EVENT_TYPE: ClassVar[str] = "enrollment.course.completed.v1"
    user_id: str
    course_id: str
    completed_at: str

    @property
    def aggregate_id(self) -> str:
        return f"{self.user_id}:{self.course_id}"


# ---- mentorship ------------------------------------------------------------------------------


class MentorshipSession(Contract):
    """A booked 1-to-1 session as its events carry it (times ISO-8601 UTC)."""

    session_id: str
    student_id: str
    teacher_id: str
    course_id: str
    starts_at: str
    ends_at: str
    student_name: str
    teacher_name: str


class SessionBooked(Event):
    """A student booked a session with a course's teacher (mentorship emits)."""

    EVENT_TYPE: ClassVar[str] = "mentorship.session.booked.v1"
    session: MentorshipSession

    @property
    def aggregate_id(self) -> str:
        return self.session.session_id


CANCELLED_BY_SYSTEM = "system"
"""`SessionCancelled.cancelled_by` when no participant cancelled: the student's access to the
session's course ended (a refund), so mentorship cancelled it."""


class SessionCancelled(Event):
    """A scheduled session was cancelled (mentorship emits): `cancelled_by` is the participant's
    user id, or CANCELLED_BY_SYSTEM when the student's access to the course ended."""

    EVENT_TYPE: ClassVar[str] = "mentorship.session.cancelled.v1"
    session: MentorshipSession
    cancelled_by: str
    cancelled_at: str

    @property
    def aggregate_id(self) -> str:
        return self.session.session_id


class SessionCompleted(Event):
    """The teacher marked a session as held (mentorship emits)."""

    EVENT_TYPE: ClassVar[str] = "mentorship.session.completed.v1"
    session: MentorshipSession
    completed_at: str

    @property
    def aggregate_id(self) -> str:
        return self.session.session_id


EVENT_CLASSES: tuple[type[Event], ...] = (
    CoursePublished,
    CourseUpdated,
    CourseArchived,
    CourseDeleted,
    MediaReleased,
    PaymentSucceeded,
    PaymentFailed,
    RefundSucceeded,
    EnrollmentCreated,
    EnrollmentRevoked,
    ChapterCompleted,
    CourseCompleted,
    SessionBooked,
    SessionCancelled,
    SessionCompleted,
)
EVENT_TYPES: dict[str, type[Event]] = {cls.EVENT_TYPE: cls for cls in EVENT_CLASSES}


class UnknownEventType(ValueError):
    """No contract is registered under this event type."""


def event_type_of(event: Event) -> str:
    return type(event).EVENT_TYPE


def decode_event(event_type: str, data: dict[str, Any]) -> Event:
    """The contract in an envelope's data, which was parsed from JSON. It is validated as that
    JSON, so strict types hold and a JSON array fills a tuple; raises ValueError (pydantic's
    ValidationError is one) for an unknown type or data the contract refuses."""
    cls = EVENT_TYPES.get(event_type)
    if cls is None:
        raise UnknownEventType(event_type)
    try:
        text = json.dumps(data)
    except TypeError as exc:
        raise ValueError(f"{event_type} data is not JSON: {exc}") from exc
    return cls.model_validate_json(text)
