"""The session's chat room over real WebSockets: two chat processes, refusals, bursts, history."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from devstack import commands
from devstack.probes import free_port
from devstack.stack import Stack
from tests.helpers import Api, User, eventually

ALWAYS = [{"day": d, "start": "00:00", "end": "24:00"} for d in range(7)]


def ws_url(base: str, session_id: str, token: str | None = None) -> str:
    url = base.replace("http://", "ws://") + f"/ws/chat/{session_id}"
    return f"{url}?token={token}" if token else url


def open_socket(base: str, session_id: str, user: User, **options: Any) -> ClientConnection:
    return connect(ws_url(base, session_id, user.token), open_timeout=10, **options)


def send(socket: ClientConnection, text: str) -> str:
    client_id = uuid.uuid4().hex
    socket.send(
        json.dumps({"event": "sendMessage", "data": {"text": text, "clientMessageId": client_id}})
    )
    return client_id


def frames(socket: ClientConnection, count: int, timeout: float = 10) -> list[dict[str, Any]]:
    return [json.loads(socket.recv(timeout=timeout)) for _ in range(count)]


def of_event(received: list[dict[str, Any]], event: str) -> list[dict[str, Any]]:
    return [f["data"] for f in received if f["event"] == event]


@pytest.fixture(scope="module")
def second_chat(stack: Stack) -> Iterator[str]:
    """Another chat process beside the stack's, sharing only Redis and DynamoDB."""
    port = free_port()
    spec = commands.served(
        "chat-b", "chat.wsgi:app", port, health="/health", workers=commands.WORKERS["chat"]
    )
    stack.processes.start(spec)
    yield f"http://127.0.0.1:{port}"
    stack.processes.stop("chat-b")


@pytest.fixture
def session(api: Api) -> dict[str, Any]:
    """A booked session whose room chat already knows."""
    teacher = api.onboard("teacher", name="Tara Teacher")
    course = api.published_course(teacher, price=0)
    availability = {"timezone": "UTC", "weekly": ALWAYS, "slotMinutes": 15, "bufferMinutes": 0,
                    "minNoticeHours": 0, "maxDaysAhead": 30}  # fmt: skip
    assert (
        api.call("PUT", "/mentorship/availability", teacher, json=availability).status_code == 200
    )
    student = api.enrolled_student(course["courseId"])
    slots = api.call("GET", f"/mentorship/availability/{teacher.user_id}/slots", student).json()[
        "data"
    ]
    body = {
        "teacherId": teacher.user_id,
        "courseId": course["courseId"],
        "date": slots[60]["start"],
    }
    booked = eventually(
        lambda: (r := api.call("POST", "/mentorship", student, json=body)).status_code == 201 and r
    )
    session_id = booked.json()["data"]["sessionId"]
    eventually(
        lambda: api.call("GET", f"/mentorship/chat/{session_id}", student).status_code == 200
    )
    return {"id": session_id, "student": student, "teacher": teacher}


def test_participants_on_two_chat_processes_exchange_messages_in_order(
    api: Api, stack_urls: dict[str, str], second_chat: str, session: dict[str, Any]
) -> None:
    """The student through the gateway's tunnel (the browser's one origin), the teacher on a
    second chat process."""
    with (
        open_socket(stack_urls["gateway"], session["id"], session["student"]) as student,
        open_socket(second_chat, session["id"], session["teacher"]) as teacher,
    ):
        sent = []
        for i in range(6):
            sender = student if i % 2 == 0 else teacher
            sent.append((send(sender, f"message {i}"), f"message {i}"))
            frames(sender, 2)  # its own newMessage and its ack
            frames(teacher if sender is student else student, 1)
        history = api.call("GET", f"/mentorship/chat/{session['id']}", session["student"]).json()[
            "data"
        ]
    assert [m["text"] for m in history] == [text for _, text in sent]
    assert [m["senderName"] for m in history[:2]] != ["", ""]
    assert history[0]["senderId"] == session["student"].user_id


def test_both_sides_see_the_same_order_and_every_message_once(
    stack_urls: dict[str, str], second_chat: str, session: dict[str, Any], api: Api
) -> None:
    with (
        open_socket(stack_urls["chat"], session["id"], session["student"]) as student,
        open_socket(second_chat, session["id"], session["teacher"]) as teacher,
    ):
        client_ids = [send(student, f"burst {i}") for i in range(100)]
        student_frames = frames(student, 200)
        teacher_frames = frames(teacher, 100)
    acks = of_event(student_frames, "ack")
    assert [a["clientMessageId"] for a in acks] == client_ids
    student_view = [m["messageId"] for m in of_event(student_frames, "newMessage")]
    teacher_view = [m["messageId"] for m in of_event(teacher_frames, "newMessage")]
    assert student_view == teacher_view and len(set(teacher_view)) == 100
    assert {a["messageId"] for a in acks} == set(teacher_view)
    stored = history_all(api, session["id"], session["teacher"])
    assert sorted(m["messageId"] for m in stored) == sorted(teacher_view)


def history_all(api: Api, session_id: str, user: User) -> list[dict[str, Any]]:
    """Every stored message, read backwards page by page, oldest first."""
    found: list[dict[str, Any]] = []
    before: str | None = None
    while True:
        params = {"limit": 30, **({"before": before} if before else {})}
        response = api.call("GET", f"/mentorship/chat/{session_id}", user, params=params)
        found = response.json()["data"] + found
        before = response.headers.get("X-Next-Cursor")
        if not before:
            return found


def test_a_reconnecting_client_fills_the_gap_from_history(
    stack_urls: dict[str, str], session: dict[str, Any], api: Api
) -> None:
    seen: dict[str, str] = {}
    with open_socket(stack_urls["chat"], session["id"], session["teacher"]) as teacher:
        with open_socket(stack_urls["chat"], session["id"], session["student"]) as student:
            for i in range(5):
                send(teacher, f"live {i}")
            for message in of_event(frames(student, 5), "newMessage"):
                seen[message["messageId"]] = message["text"]
        for i in range(7):
            send(teacher, f"missed {i}")
        frames(teacher, 24)
    history = history_all(api, session["id"], session["student"])
    merged = {**seen, **{m["messageId"]: m["text"] for m in history}}
    ordered = [merged[k] for k in sorted(merged)]
    assert ordered == [f"live {i}" for i in range(5)] + [f"missed {i}" for i in range(7)]
    assert [m["messageId"] for m in history] == sorted(m["messageId"] for m in history)


def test_strangers_bad_tokens_and_closed_rooms_are_refused_before_any_frame(
    api: Api, stack_urls: dict[str, str], session: dict[str, Any]
) -> None:
    base = stack_urls["chat"]
    expired = api.token(session["student"].user_id, ttlSeconds=-60)
    for url, status in (
        (ws_url(base, session["id"], api.onboard("student").token), 404),
        (ws_url(base, session["id"], "not-a-jwt"), 401),
        (ws_url(base, session["id"], expired), 401),
        (ws_url(base, session["id"]), 401),
        (ws_url(base, "no-such-session", session["student"].token), 404),
    ):
        with pytest.raises(InvalidStatus) as refused:
            connect(url, open_timeout=10)
        assert refused.value.response.status_code == status, url

    with connect(
        ws_url(base, session["id"]),
        subprotocols=["prolearn.chat", f"bearer.{session['teacher'].token}"],
    ) as via_protocol:
        assert via_protocol.subprotocol == "prolearn.chat"
        cancelled = api.call(
            "PATCH",
            f"/mentorship/{session['id']}",
            session["teacher"],
            json={"status": "cancelled"},
        )
        assert cancelled.status_code == 200, cancelled.text
        with pytest.raises(ConnectionClosed) as closed:
            drain(via_protocol)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4410
    with pytest.raises(InvalidStatus) as after:
        connect(ws_url(base, session["id"], session["student"].token), open_timeout=10)
    assert after.value.response.status_code == 409


def drain(socket: ClientConnection) -> None:
    """Read until the server closes the socket (ConnectionClosed)."""
    while True:
        socket.recv(timeout=10)


def test_bad_frames_get_error_frames_and_the_socket_stays_open(
    stack_urls: dict[str, str], session: dict[str, Any]
) -> None:
    with open_socket(stack_urls["chat"], session["id"], session["student"]) as student:
        for bad, code in (
            ("not json", "bad_frame"),
            (json.dumps({"event": "deleteEverything"}), "unknown_event"),
            (json.dumps({"event": "sendMessage", "data": {"text": ""}}), "invalid_text"),
            (json.dumps({"event": "sendMessage", "data": {"text": "x" * 2001}}), "invalid_text"),
            (
                json.dumps({"event": "sendMessage", "data": {"text": "hi", "senderId": "forged"}}),
                None,
            ),
        ):
            student.send(bad)
            received = frames(student, 1 if code else 2)
            if code:
                assert received[0] == {
                    "event": "error",
                    "data": {"code": code, "message": received[0]["data"]["message"]},
                }
            else:
                message = of_event(received, "newMessage")[0]
                assert message["senderId"] == session["student"].user_id
        for i in range(150):
            send(student, f"flood {i}")
        received = until_quiet(student)
    acks, errors = of_event(received, "ack"), of_event(received, "error")
    assert len(acks) + len(errors) == 150 and len(of_event(received, "newMessage")) == len(acks)
    assert {e["code"] for e in errors} == {"rate_limited"} and len(errors) >= 20


def until_quiet(socket: ClientConnection, quiet: float = 2) -> list[dict[str, Any]]:
    """Every frame until none arrives for `quiet` seconds."""
    received = []
    try:
        while True:
            received.append(json.loads(socket.recv(timeout=quiet)))
    except TimeoutError:
        return received


def test_vanished_clients_leave_nothing_behind(
    stack: Stack, stack_env: dict[str, str], session: dict[str, Any]
) -> None:
    """Sockets dropped without a close frame: their rooms, members and greenlets all go."""
    port = free_port()
    spec = commands.served(
        "chat-one", "chat.wsgi:app", port, health="/health", workers="-k gevent -w 1"
    )
    stack.processes.start(spec)
    base = f"http://127.0.0.1:{port}"
    headers = {"X-Internal-Token": stack_env["INTERNAL_API_TOKEN"]}

    def stats() -> dict[str, int]:
        found: dict[str, int] = requests.get(
            f"{base}/internal/stats", headers=headers, timeout=5
        ).json()["data"]
        return found

    try:
        before = stats()
        sockets = [
            open_socket(base, session["id"], session["student"], ping_interval=None, legacy=True)
            for _ in range(30)
        ]
        assert stats()["members"] == before["members"] + 30
        for socket in sockets:
            socket.socket.close()  # the client vanishes: no close frame, just a dead TCP connection
        eventually(
            lambda: stats()["members"] == before["members"] and stats()["rooms"] == before["rooms"]
        )
        eventually(lambda: stats()["threads"] <= before["threads"] + 2)
    finally:
        stack.processes.stop("chat-one")
