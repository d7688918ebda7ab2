"""Rooms across replicas: each process subscribes to a room's Redis channel while it holds one
of the room's sockets, and hands what arrives to those sockets."""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, Protocol

import redis

from chat.batching import Batcher
from shared.metrics.instruments import CHAT_STAGE_SECONDS

log = logging.getLogger(__name__)
CHANNEL_PREFIX = "chat:room:"
CLOSE_EVENT = "roomClosed"
SUBSCRIBE_TIMEOUT_SECONDS = 5
POLL_SECONDS = 0.05
PUBLISH_BATCH = 100
PUBLISH_IN_FLIGHT = 2
"""Pipelines of PUBLISH in flight at once per process; what arrives meanwhile forms the next."""
PUBLISH_TIMEOUT_SECONDS = 15
"""Past the pool's wait for a connection (5 s) and one call's socket timeout (5 s)."""


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
    new member misses nothing published after it joined. Broadcasts leave in pipelines: one
    round trip carries what the process's rooms sent meanwhile."""

    def __init__(self, client: redis.Redis) -> None:
        self._redis = client
        self._publishes = Batcher(
            "chat-publish",
            self._publish,
            max_batch=PUBLISH_BATCH,
            linger=0,
            in_flight=PUBLISH_IN_FLIGHT,
            timeout=PUBLISH_TIMEOUT_SECONDS,
        )
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
            self._publishes.submit((channel(session_id), text))
        except TimeoutError as exc:  # the waiter gave up; callers expect Redis's errors only
            raise redis.TimeoutError("publishing timed out") from exc
        finally:
            CHAT_STAGE_SECONDS.labels("publish").observe(time.perf_counter() - started)

    def _publish(self, messages: Sequence[tuple[str, str]]) -> None:
        pipeline = self._redis.pipeline(transaction=False)
        for name, text in messages:
            pipeline.publish(name, text)
        pipeline.execute()

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
            if not pubsub.subscribed:  # no room here: sleep until a join asks for one
                self._act(pubsub, *self._requests.get())
            while not self._requests.empty():
                self._act(pubsub, *self._requests.get_nowait())
            message = pubsub.get_message(timeout=POLL_SECONDS)
            if message is not None:
                self._handle(message)

    @staticmethod
    def _act(pubsub: Any, action: str, session_id: str) -> None:
        getattr(pubsub, action)(channel(session_id))

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
