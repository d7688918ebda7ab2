"""Rooms across replicas: each process subscribes to a room's Redis channel while it holds one
of the room's sockets, and hands what arrives to those sockets."""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections import defaultdict
from typing import Any, Protocol

import redis

from shared.metrics.instruments import CHAT_STAGE_SECONDS

log = logging.getLogger(__name__)
CHANNEL_PREFIX = "chat:room:"
CLOSE_EVENT = "roomClosed"
SUBSCRIBE_TIMEOUT_SECONDS = 5
POLL_SECONDS = 0.05


class Member(Protocol):
    user_id: str

    def send(self, text: str) -> None: ...

    def close(self, code: int = 1000, reason: str = "") -> None: ...


def channel(session_id: str) -> str:
    return f"{CHANNEL_PREFIX}{session_id}"


def close_room(client: redis.Redis, session_id: str, code: int, reason: str) -> None:
    """Close the room's sockets on every replica (any process may call it, workers included)."""
    body = {"event": CLOSE_EVENT, "data": {"code": code, "reason": reason}}
    client.publish(channel(session_id), json.dumps(body))


class RoomHub:
    """One pub/sub connection per process, owned by one listener thread; joins and leaves ask
    it to (un)subscribe, and a join returns only once Redis confirmed the subscription, so the
    new member misses nothing published after it joined."""

    def __init__(self, client: redis.Redis) -> None:
        self._redis = client
        self._members: dict[str, set[Member]] = defaultdict(set)
        self._lock = threading.Lock()
        self._requests: queue.Queue[tuple[str, str]] = queue.Queue()
        self._confirmed: dict[str, threading.Event] = {}
        self._listener = threading.Thread(target=self._listen, name="chat-fanout", daemon=True)
        self._listener.start()

    def join(self, session_id: str, member: Member) -> None:
        with self._lock:
            first = not self._members[session_id]
            self._members[session_id].add(member)
            confirmed = self._confirmed.setdefault(session_id, threading.Event())
            if first:
                confirmed.clear()
                self._requests.put(("subscribe", session_id))
        if not confirmed.wait(SUBSCRIBE_TIMEOUT_SECONDS):
            raise TimeoutError(f"no subscription to room {session_id}")

    def leave(self, session_id: str, member: Member) -> None:
        with self._lock:
            members = self._members.get(session_id)
            if members is None:
                return
            members.discard(member)
            if not members:
                del self._members[session_id]
                self._confirmed.pop(session_id, None)
                self._requests.put(("unsubscribe", session_id))

    def broadcast(self, session_id: str, text: str) -> None:
        """To every member of the room, on every replica (this one included, through Redis)."""
        started = time.perf_counter()
        try:
            self._redis.publish(channel(session_id), text)
        finally:
            CHAT_STAGE_SECONDS.labels("publish").observe(time.perf_counter() - started)

    def local_rooms(self) -> int:
        with self._lock:
            return len(self._members)

    def local_members(self) -> int:
        with self._lock:
            return sum(len(members) for members in self._members.values())

    def _listen(self) -> None:
        while True:
            try:
                self._serve(self._redis.pubsub())  # type: ignore[no-untyped-call]
            except redis.RedisError:
                log.exception("chat fan-out lost Redis; resubscribing")
                with self._lock:
                    rooms = list(self._members)
                for session_id in rooms:
                    self._requests.put(("subscribe", session_id))
                threading.Event().wait(1)

    def _serve(self, pubsub: Any) -> None:
        while True:
            while not self._requests.empty():
                action, session_id = self._requests.get_nowait()
                getattr(pubsub, action)(channel(session_id))
            if not pubsub.subscribed:
                threading.Event().wait(POLL_SECONDS)
                continue
            message = pubsub.get_message(timeout=POLL_SECONDS)
            if message is not None:
                self._handle(message)

    def _handle(self, message: dict[str, Any]) -> None:
        session_id = message["channel"].decode()[len(CHANNEL_PREFIX) :]
        if message["type"] == "subscribe":
            with self._lock:
                confirmed = self._confirmed.get(session_id)
            if confirmed is not None:
                confirmed.set()
            return
        if message["type"] != "message":
            return
        text = message["data"].decode()
        with self._lock:
            members = list(self._members.get(session_id, ()))
        if text.startswith('{"event": "' + CLOSE_EVENT):
            closing = json.loads(text)["data"]
            for member in members:
                member.close(closing["code"], closing["reason"])
            return
        for member in members:
            member.send(text)
