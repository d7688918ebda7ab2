"""Wires chat: its adapters, and each handler bound to the adapters it needs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

import redis

from chat import handlers
from chat.adapters.message_writer import MessageWriter
from chat.adapters.repository import ChatRepository
from chat.commands import JoinRoom, ReadHistory
from chat.connection import Connection, Pinger
from chat.domain.room import Room
from chat.fanout import RoomHub
from shared.clerk import ClerkClient
from shared.config import Settings
from shared.dynamo.client import dynamodb_client
from shared.events.contracts import SessionBooked, SessionCancelled, SessionCompleted
from shared.messaging.routing import EventHandler, on, routes
from shared.readmodels.memberships import Memberships, membership_routes
from shared.runtime import Runtime

FrameHandler = Callable[[Connection, str, str | bytes], None]
"""A socket's frame in: its connection, the sender's display name, the frame as received."""


@dataclass(frozen=True)
class Chat:
    """Chat, wired for HTTP and the worker: the rooms, the rules of who gets in, the events."""

    runtime: Runtime
    rooms: ChatRepository
    admit: Callable[[JoinRoom], Room]
    readable_room: Callable[[ReadHistory], Room]
    on_event: Mapping[str, EventHandler]
    """What the worker runs for each event type it receives: rooms follow their sessions, and
    who holds which course comes from enrollment events."""

    @property
    def settings(self) -> Settings:
        return self.runtime.settings


@dataclass(frozen=True)
class LiveRooms:
    """A web process's open sockets: the fan-out, the pinger and the message writer run threads
    (greenlets) and hold a Redis pool, so only the web app builds them, never the worker."""

    hub: RoomHub
    pinger: Pinger
    clerk: ClerkClient
    connection: Callable[[str, str], Connection]
    """A participant's connection (user id, session id) under the settings' limits."""
    on_frame: FrameHandler


FANOUT_CONNECTIONS = 64


def fanout_redis(settings: Settings) -> redis.Redis:
    """Thousands of greenlets share a few connections: a publisher waits for a free one
    instead of failing with 'too many connections' when a burst of messages is stored at once."""
    pool = redis.BlockingConnectionPool.from_url(
        settings.messaging.redis_url,
        max_connections=FANOUT_CONNECTIONS,
        timeout=5,
        socket_timeout=5,
        socket_connect_timeout=2,
    )
    return redis.Redis(connection_pool=pool)


def message_store(settings: Settings) -> ChatRepository:
    """The writer's own client tries each call once with short timeouts; the writer retries
    until its deadline itself, so one slow response cannot hold every room for seconds (the
    shared client's 4 attempts of up to 5 s each could)."""
    client = dynamodb_client(settings.aws, quick=True, service=settings.service)
    return ChatRepository(client, settings.table_name())


def build(runtime: Runtime) -> Chat:
    rooms = ChatRepository(runtime.dynamodb, runtime.table)
    students = Memberships(runtime.dynamodb, runtime.table)
    broker = runtime.redis
    return Chat(
        runtime=runtime,
        rooms=rooms,
        admit=partial(handlers.admit, rooms=rooms, students=students),
        readable_room=partial(handlers.readable_room, rooms=rooms),
        on_event=routes(
            on(SessionBooked, partial(handlers.open_room, rooms=rooms)),
            on(
                SessionCancelled, partial(handlers.close_cancelled_room, rooms=rooms, broker=broker)
            ),
            on(
                SessionCompleted, partial(handlers.close_completed_room, rooms=rooms, broker=broker)
            ),
            membership_routes(students),
        ),
    )


def live_rooms(settings: Settings) -> LiveRooms:
    """The socket side, built once per web process; the frame handler is bound here once, not
    per socket or frame."""
    policy = settings.chat
    hub = RoomHub(fanout_redis(settings))
    # no writer when CHAT_PERSIST is off (benchmarks of the bare broadcast only)
    writer = MessageWriter(message_store(settings).add_messages) if policy.persist else None
    return LiveRooms(
        hub=hub,
        pinger=Pinger(policy.ping_interval_seconds),
        clerk=ClerkClient(settings.clerk),
        connection=partial(
            Connection,
            rate=policy.messages_per_second,
            burst=policy.burst,
            queue_limit=policy.outbox_frames,
        ),
        on_frame=partial(
            handlers.on_frame, writer=writer, hub=hub, max_text_chars=policy.max_text_chars
        ),
    )


def event_handlers(runtime: Runtime) -> Mapping[str, EventHandler]:
    """The worker's routing, bound to the worker's own runtime."""
    return build(runtime).on_event
