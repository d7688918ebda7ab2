"""Mentorship's DynamoDB keys: sessions (by student, by teacher), availability, busy buckets,
a student's upcoming sessions with a teacher."""

from __future__ import annotations

from datetime import datetime

from shared.clock import iso
from shared.dynamo.keys import compose, key


def session_key(session_id: str) -> dict[str, str]:
    return key(compose("SESSION", session_id), "SESSION")


def student_partition(student_id: str) -> str:
    return compose("STUDENT", student_id)


def teacher_partition(teacher_id: str) -> str:
    return compose("TEACHER", teacher_id)


def session_indexes(
    session_id: str, student_id: str, teacher_id: str, starts_at: datetime
) -> dict[str, str]:
    """GSI1 lists a student's sessions, GSI2 a teacher's, both by start time."""
    sort = compose(iso(starts_at), session_id)
    return {
        "GSI1PK": student_partition(student_id),
        "GSI1SK": sort,
        "GSI2PK": teacher_partition(teacher_id),
        "GSI2SK": sort,
    }


def availability_key(teacher_id: str) -> dict[str, str]:
    return key(teacher_partition(teacher_id), "AVAILABILITY")


def busy_key(teacher_id: str, bucket: datetime) -> dict[str, str]:
    """One 5-minute bucket of a teacher's time, held by the session that booked it."""
    return key(teacher_partition(teacher_id), compose("BUSY", iso(bucket)))


def upcoming_key(student_id: str, teacher_id: str) -> dict[str, str]:
    """The student's upcoming sessions with one teacher: the booking limit's guard."""
    return key(student_partition(student_id), compose(teacher_partition(teacher_id), "UPCOMING"))
