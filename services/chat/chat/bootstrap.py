"""Wires chat's adapters; the only place that knows the concrete classes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import redis

from chat import handlers
from chat.adapters.message_writer import MessageWriter
from chat.adapters.repository import ChatRepository
from chat.connection import Pinger
from chat.fanout import RoomHub
from shared.clerk import ClerkClient
from shared.config import Settings
from shared.dynamo.client import dynamodb_client
from shared.messaging.consumer import EventHandler
from shared.readmodels.memberships import Memberships
from shared.runtime import Runtime


@dataclass
class Chat:
    runtime: Runtime
    rooms: ChatRepository
    students: Memberships
    hub: RoomHub
    pinger: Pinger
    writer: MessageWriter | None
    """None when CHAT_PERSIST is off (benchmarks of the bare broadcast only)."""
    clerk: ClerkClient

    @property
    def settings(self) -> Settings:
        return self.runtime.settings


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


def build(settings: Settings) -> Chat:
    runtime = Runtime(settings)
    rooms = ChatRepository(runtime.dynamodb, runtime.table)
    return Chat(
        runtime=runtime,
        rooms=rooms,
        students=Memberships(runtime.dynamodb, runtime.table),
        hub=RoomHub(fanout_redis(settings)),
        pinger=Pinger(settings.chat.ping_interval_seconds),
        writer=MessageWriter(message_store(settings).add_messages)
        if settings.chat.persist
        else None,
        clerk=ClerkClient(settings.clerk),
    )


def event_handlers(runtime: Runtime) -> Mapping[str, EventHandler]:
    rooms = ChatRepository(runtime.dynamodb, runtime.table)
    students = Memberships(runtime.dynamodb, runtime.table)
    return handlers.event_handlers(rooms, students, runtime.redis)
