"""Mentorship JSON as the frontend reads it, and the session's calendar invite."""

from __future__ import annotations

from typing import Any

from mentorship.domain.session import CANCELLED, Session
from mentorship.domain.slots import Slot
from shared.ics import mentorship_invite


def session_json(session: Session) -> dict[str, Any]:
    """The session as stored, without its buffer, and its start named `date`."""
    document = session.document()
    del document["bufferMinutes"]
    return {"date": document.pop("startsAt"), **document}


def slot_json(slot: Slot) -> dict[str, str]:
    """Seconds precision, as the frontend shows a slot and sends its start back."""
    return slot.document()


def session_ics(session: Session, link: str) -> str:
    """A calendar invite in UTC with the link to join; a cancelled session cancels the event."""
    return mentorship_invite(
        session_id=session.session_id,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        student_name=session.student_name,
        teacher_name=session.teacher_name,
        link=link,
        cancelled=session.status == CANCELLED,
    )
