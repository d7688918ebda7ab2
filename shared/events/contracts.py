"""Every integration event, one frozen dataclass each, and the registry of their types."""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, TypeVar


class Event(Protocol):
    EVENT_TYPE: ClassVar[str]

    @property
    def aggregate_id(self) -> str: ...


# ---- catalog ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChapterOutline:
    chapter_id: str
    title: str
    type: str
    free_preview: bool
    video_key: str | None


@dataclass(frozen=True)
class SectionOutline:
    section_id: str
    title: str
    chapters: tuple[ChapterOutline, ...]


@dataclass(frozen=True)
class CourseSnapshot:
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


@dataclass(frozen=True)
class CoursePublished:
    """A course became visible in the catalog (catalog emits; key: course.course_id)."""

    EVENT_TYPE: ClassVar[str] = "catalog.course.published.v1"
    course: CourseSnapshot

    @property
    def aggregate_id(self) -> str:
        return self.course.course_id


@dataclass(frozen=True)
class CourseUpdated:
    """A course's card or outline changed, draft or published (catalog emits)."""

    EVENT_TYPE: ClassVar[str] = "catalog.course.updated.v1"
    course: CourseSnapshot

    @property
    def aggregate_id(self) -> str:
        return self.course.course_id


@dataclass(frozen=True)
class CourseArchived:
    """A course left the catalog; enrolled students keep access (catalog emits)."""

    EVENT_TYPE: ClassVar[str] = "catalog.course.archived.v1"
    course: CourseSnapshot

    @property
    def aggregate_id(self) -> str:
        return self.course.course_id


@dataclass(frozen=True)
class CourseDeleted:
    """A course without students was deleted; its snapshot carries status "Deleted" (catalog
    emits)."""

    EVENT_TYPE: ClassVar[str] = "catalog.course.deleted.v1"
    course: CourseSnapshot

    @property
    def aggregate_id(self) -> str:
        return self.course.course_id


@dataclass(frozen=True)
class MediaReleased:
    """Stored objects no course references any more, to delete from S3 (catalog emits and
    consumes it, so a deletion is retried like any event instead of being lost)."""

    EVENT_TYPE: ClassVar[str] = "catalog.media.released.v1"
    course_id: str
    keys: tuple[str, ...]

    @property
    def aggregate_id(self) -> str:
        return self.course_id


# ---- billing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentSucceeded:
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


@dataclass(frozen=True)
class PaymentFailed:
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


@dataclass(frozen=True)
class RefundSucceeded:
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


@dataclass(frozen=True)
class EnrollmentCreated:
    """A student was enrolled in a course (enrollment emits; key: user_id + course_id)."""

    EVENT_TYPE: ClassVar[str] = "enrollment.enrollment.created.v1"
    user_id: str
    course_id: str
    order_id: str
    enrolled_at: str

    @property
    def aggregate_id(self) -> str:
        return f"{self.user_id}:{self.course_id}"


@dataclass(frozen=True)
class EnrollmentRevoked:
    """A student's access to a course ended, e.g. after a refund (enrollment emits)."""

    EVENT_TYPE: ClassVar[str] = "enrollment.enrollment.revoked.v1"
    user_id: str
    course_id: str
    reason: str
    revoked_at: str

    @property
    def aggregate_id(self) -> str:
        return f"{self.user_id}:{self.course_id}"


@dataclass(frozen=True)
class ChapterCompleted:
    """A student completed a chapter, once per student and chapter (enrollment emits)."""

    EVENT_TYPE: ClassVar[str] = "enrollment.chapter.completed.v1"
    user_id: str
    course_id: str
    chapter_id: str
    completed_at: str

    @property
    def aggregate_id(self) -> str:
        return f"{self.user_id}:{self.course_id}"


@dataclass(frozen=True)
class CourseCompleted:
    """A student completed every chapter of a course, once (enrollment emits)."""

    EVENT_TYPE: ClassVar[str] = "enrollment.course.completed.v1"
    user_id: str
    course_id: str
    completed_at: str

    @property
    def aggregate_id(self) -> str:
        return f"{self.user_id}:{self.course_id}"


# ---- mentorship ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MentorshipSession:
    """A booked 1-to-1 session as its events carry it (times ISO-8601 UTC)."""

    session_id: str
    student_id: str
    teacher_id: str
    course_id: str
    starts_at: str
    ends_at: str
    student_name: str
    teacher_name: str


@dataclass(frozen=True)
class SessionBooked:
    """A student booked a session with a course's teacher (mentorship emits)."""

    EVENT_TYPE: ClassVar[str] = "mentorship.session.booked.v1"
    session: MentorshipSession

    @property
    def aggregate_id(self) -> str:
        return self.session.session_id


CANCELLED_BY_SYSTEM = "system"
"""`SessionCancelled.cancelled_by` when no participant cancelled: the student's access to the
session's course ended (a refund), so mentorship cancelled it."""


@dataclass(frozen=True)
class SessionCancelled:
    """A scheduled session was cancelled (mentorship emits): `cancelled_by` is the participant's
    user id, or CANCELLED_BY_SYSTEM when the student's access to the course ended."""

    EVENT_TYPE: ClassVar[str] = "mentorship.session.cancelled.v1"
    session: MentorshipSession
    cancelled_by: str
    cancelled_at: str

    @property
    def aggregate_id(self) -> str:
        return self.session.session_id


@dataclass(frozen=True)
class SessionCompleted:
    """The teacher marked a session as held (mentorship emits)."""

    EVENT_TYPE: ClassVar[str] = "mentorship.session.completed.v1"
    session: MentorshipSession
    completed_at: str

    @property
    def aggregate_id(self) -> str:
        return self.session.session_id


EVENT_CLASSES: tuple[type[Any], ...] = (
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
EVENT_TYPES: dict[str, type[Any]] = {cls.EVENT_TYPE: cls for cls in EVENT_CLASSES}

T = TypeVar("T")


class UnknownEventType(ValueError):
    """No contract is registered under this event type."""


def event_type_of(event: Event) -> str:
    return type(event).EVENT_TYPE


def _decode_value(hint: Any, value: Any) -> Any:
    origin = typing.get_origin(hint)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return decode_dataclass(hint, value)
    if origin is tuple:
        (inner, _ellipsis) = typing.get_args(hint)
        return tuple(_decode_value(inner, v) for v in value)
    if origin in (types.UnionType, typing.Union):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return None if value is None else _decode_value(options[0], value)
    return value


def decode_dataclass(cls: type[T], data: dict[str, Any]) -> T:
    """Build a (nested) frozen dataclass from plain JSON data, strictly: every field without a
    default must be there (a field added to a contract later gets a default, so events
    written before it still decode)."""
    if not isinstance(data, dict):
        raise ValueError(f"{cls.__name__} expects an object")
    hints = _type_hints(cls)
    fields = [f for f in dataclasses.fields(cls) if f.init]  # type: ignore[arg-type]
    missing = [f.name for f in fields if f.name not in data and not _has_default(f)]
    if missing:
        raise ValueError(f"{cls.__name__} lacks {', '.join(missing)}")
    present = [f for f in fields if f.name in data]
    return cls(**{f.name: _decode_value(hints[f.name], data[f.name]) for f in present})


_TYPE_HINTS: dict[type[Any], dict[str, Any]] = {}


def _type_hints(cls: type[Any]) -> dict[str, Any]:
    """A contract's resolved field types, once per class: resolving the string annotations
    compiles each of them, which made decoding a course card cost 0.5 ms instead of 0.07."""
    hints = _TYPE_HINTS.get(cls)
    if hints is None:
        hints = _TYPE_HINTS[cls] = typing.get_type_hints(cls)
    return hints


def _has_default(field: dataclasses.Field[Any]) -> bool:
    return (
        field.default is not dataclasses.MISSING or field.default_factory is not dataclasses.MISSING
    )


def decode_event(event_type: str, data: dict[str, Any]) -> Any:
    cls = EVENT_TYPES.get(event_type)
    if cls is None:
        raise UnknownEventType(event_type)
    return decode_dataclass(cls, data)
