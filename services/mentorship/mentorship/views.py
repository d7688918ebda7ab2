"""Mentorship's answers, as the models of shared/api/mentorship.py, and a session's invite."""

from __future__ import annotations

from mentorship.domain.session import CANCELLED, Session
from mentorship.handlers import VideoGrant
from shared.api import mentorship as api
from shared.ics import mentorship_invite


def session(session: Session) -> api.MentorshipSession:
    """The fields the model names, read off the session by the same names (so not its buffer)."""
    return api.MentorshipSession.model_validate(session, from_attributes=True)


def video_token(grant: VideoGrant, app_id: str | None) -> api.VideoToken:
    """The grant, and the Agora app it is for (always configured when a grant was issued)."""
    return api.VideoToken.model_validate(
        {
            "token": grant.token,
            "channel_name": grant.channel,
            "uid": grant.uid,
            "expires_at": grant.expires_at,
            "app_id": app_id,
        }
    )


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
