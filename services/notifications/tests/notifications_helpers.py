"""Helpers for notifications' tests: users in the Clerk stand-in, mail in the catcher."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Callable

import requests

from notifications.bootstrap import Notifications
from standins.config import StandinConfig

Build = Callable[..., Notifications]


def new_user(standins: str, email: str, settings: dict[str, object] | None = None) -> str:
    """A user in the Clerk stand-in, with notification settings in public metadata."""
    user_id = f"user_{uuid.uuid4().hex[:16]}"
    body = {"sub": user_id, "name": "Sam Reader", "email": email}
    requests.post(f"{standins}/idp/dev/users", json=body, timeout=5).raise_for_status()
    if settings:
        requests.patch(
            f"{standins}/idp/v1/users/{user_id}/metadata",
            json={"public_metadata": {"settings": settings}},
            headers={"Authorization": f"Bearer {StandinConfig.from_env().clerk_secret_key}"},
            timeout=5,
        ).raise_for_status()
    return user_id


def captured(standins: str, address: str) -> list[dict[str, object]]:
    response = requests.get(f"{standins}/resend/emails", params={"to": address}, timeout=5)
    mails: list[dict[str, object]] = response.json()["data"]
    return mails


def a_closed_port() -> str:
    """A Resend URL nothing answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/resend"
