"""Enrollment's event handlers; the routing table is at the bottom."""

from __future__ import annotations

from collections.abc import Mapping

from enrollment.adapters.repository import EnrollmentRepository
from enrollment.domain.model import Enrollment
from shared.clock import now_iso
from shared.events.contracts import (
    EnrollmentCreated,
    EnrollmentRevoked,
    PaymentSucceeded,
    RefundSucceeded,
)
from shared.events.envelope import Envelope
from shared.messaging.consumer import EventHandler
from shared.messaging.unit_of_work import UnitOfWork
from shared.readmodels.course_cards import CourseCards, course_card_handlers


def enroll_buyer(enrollments: EnrollmentRepository) -> EventHandler:
    def handle(event: PaymentSucceeded, _: Envelope, uow: UnitOfWork) -> None:
        """A paid order enrolls its buyer once; a refund seen earlier wins."""
        if enrollments.order_revoked(event.order_id):
            return
        current = enrollments.get(event.user_id, event.course_id)
        if current is not None and current.active:
            return
        if current is not None:
            enrollments.reactivate(uow, current, event.order_id)
        else:
            enrollment = Enrollment(event.user_id, event.course_id, event.order_id, now_iso())
            enrollments.enroll(uow, enrollment)
        uow.raise_event(
            EnrollmentCreated(
                user_id=event.user_id,
                course_id=event.course_id,
                order_id=event.order_id,
                enrolled_at=current.enrolled_at if current else now_iso(),
            )
        )

    return handle


def revoke_refunded(enrollments: EnrollmentRepository) -> EventHandler:
    def handle(event: RefundSucceeded, _: Envelope, uow: UnitOfWork) -> None:
        """Access ends with a refund of the order that granted it."""
        at = now_iso()
        current = enrollments.get(event.user_id, event.course_id)
        if current is None:
            enrollments.remember_revoked_order(uow, event.order_id, at)
            return
        if not current.active or current.order_id != event.order_id:
            return
        enrollments.revoke(uow, current, at)
        uow.raise_event(EnrollmentRevoked(event.user_id, event.course_id, "refund", at))

    return handle


def event_handlers(
    enrollments: EnrollmentRepository, cards: CourseCards
) -> Mapping[str, EventHandler]:
    return {
        PaymentSucceeded.EVENT_TYPE: enroll_buyer(enrollments),
        RefundSucceeded.EVENT_TYPE: revoke_refunded(enrollments),
        **course_card_handlers(cards),
    }
