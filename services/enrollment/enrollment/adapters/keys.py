"""Enrollment's DynamoDB keys: a user's courses share one partition."""

from __future__ import annotations

from shared.dynamo.keys import compose, key

COURSE_PREFIX = "COURSE#"


def user_partition(user_id: str) -> str:
    return compose("USER", user_id)


def enrollment_key(user_id: str, course_id: str) -> dict[str, str]:
    return key(user_partition(user_id), compose("COURSE", course_id, "ENROLLMENT"))


def progress_key(user_id: str, course_id: str) -> dict[str, str]:
    return key(user_partition(user_id), compose("COURSE", course_id, "PROGRESS"))


def course_enrollments(course_id: str, enrolled_at: str, user_id: str) -> dict[str, str]:
    return {
        "GSI1PK": course_enrollments_partition(course_id),
        "GSI1SK": compose(enrolled_at, user_id),
    }


def course_enrollments_partition(course_id: str) -> str:
    """Every enrollment of a course, oldest first, for analytics."""
    return compose("COURSE", course_id, "ENROLLMENTS")


def revoked_order_key(order_id: str) -> dict[str, str]:
    """A refund seen before its payment: the payment must then not enroll."""
    return key(compose("ORDER", order_id), "REVOKED")
