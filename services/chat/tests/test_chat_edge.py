"""The app's answers to chat's refusals: the statuses, codes and messages clients rely on, the
handshake refused before any upgrade; the handlers bound to in-memory rooms."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from typing import Any, cast

import pytest
from flask.testing import FlaskClient

from chat import handlers
from chat.adapters.repository import ChatRepository
from chat.app import create_app
from chat.bootstrap import Chat
from chat.domain.room import CANCELLED, Room
from shared.auth.principal import Principal
from shared.config import load_settings
from shared.readmodels.memberships import Memberships

ROOMS = {
    "open": Room("open", "u1", "t1", "Sam", "Tara", course_id="c1"),
    "ended": Room("ended", "u1", "t1", "Sam", "Tara", status=CANCELLED, course_id="c1"),
}

UPGRADE = {"Upgrade": "websocket", "Connection": "Upgrade"}


class InMemoryRooms:
    def room(self, session_id: str) -> Room | None:
        return ROOMS.get(session_id)


class NobodyEnrolled:
    def is_active(self, course_id: str, user_id: str) -> bool:
        return False


class TokenIsUserId:
    """A verifier for which the token is the caller's user id."""

    def verify(self, token: str) -> Principal:
        return Principal(user_id=token, role="student", token=token, claims={})


@pytest.fixture
def client() -> Iterator[FlaskClient]:
    app = create_app(load_settings("chat", {"INTERNAL_API_TOKEN": "internal"}))
    rooms = cast(ChatRepository, InMemoryRooms())
    chat: Chat = app.extensions["chat"]
    app.extensions["chat"] = replace(
        chat,
        admit=partial(handlers.admit, rooms=rooms, students=cast(Memberships, NobodyEnrolled())),
        readable_room=partial(handlers.readable_room, rooms=rooms),
    )
    app.extensions["token_verifier"] = TokenIsUserId()
    with app.test_client() as test_client:
        yield test_client


def refusal(status: int, code: str, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"message": message, "error": {"code": code, "details": None}}


@pytest.mark.parametrize(
    ("session_id", "user_id", "answer"),
    [
        ("open", "u9", refusal(404, "room_not_found", "No such chat room.")),
        ("nothing", "u1", refusal(404, "room_not_found", "No such chat room.")),
        ("ended", "t1", refusal(409, "room_closed", "This session's chat is closed.")),
        (
            "open",
            "u1",
            refusal(
                403, "not_enrolled", "Only students enrolled in the course may join its sessions."
            ),
        ),
    ],
)
def test_the_handshake_is_refused_before_the_upgrade(
    client: FlaskClient, session_id: str, user_id: str, answer: tuple[int, dict[str, Any]]
) -> None:
    response = client.get(f"/ws/chat/{session_id}?token={user_id}", headers=UPGRADE)
    assert (response.status_code, response.get_json()) == answer


def test_a_stranger_reading_history_is_told_no_such_room_whatever_the_query(
    client: FlaskClient,
) -> None:
    response = client.get("/mentorship/chat/open?limit=0", headers={"Authorization": "Bearer u9"})
    assert (response.status_code, response.get_json()) == refusal(
        404, "room_not_found", "No such chat room."
    )
    response = client.get("/mentorship/chat/ended?limit=0", headers={"Authorization": "Bearer u1"})
    assert response.status_code == 400
    assert response.get_json()["error"] == {
        "code": "validation_error",
        "details": {"limit": "out of range"},
    }


def test_stats_count_this_process_s_rooms(client: FlaskClient) -> None:
    response = client.get("/internal/stats", headers={"X-Internal-Token": "internal"})
    assert response.status_code == 200
    assert {"rooms": 0, "members": 0}.items() <= response.get_json()["data"].items()
