"""Wires chat's adapters; the only place that knows the concrete classes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from chat import handlers
from chat.adapters.message_writer import MessageWriter
from chat.adapters.repository import ChatRepository
from chat.fanout import RoomHub
from shared.clerk import ClerkClient
from shared.config import Settings
from shared.messaging.consumer import EventHandler
from shared.runtime import Runtime


@dataclass
class Chat:
    runtime: Runtime
    rooms: ChatRepository
    hub: RoomHub
    writer: MessageWriter | None
    """None when CHAT_PERSIST is off (benchmarks of the bare broadcast only)."""
    clerk: ClerkClient

    @property
    def settings(self) -> Settings:
        return self.runtime.settings


def build(settings: Settings) -> Chat:
    runtime = Runtime(settings)
    rooms = ChatRepository(runtime.dynamodb, runtime.table)
    return Chat(
        runtime=runtime,
        rooms=rooms,
        hub=RoomHub(runtime.redis),
        writer=MessageWriter(rooms.add_messages) if settings.chat.persist else None,
        clerk=ClerkClient(settings.clerk),
    )


def event_handlers(runtime: Runtime) -> Mapping[str, EventHandler]:
    rooms = ChatRepository(runtime.dynamodb, runtime.table)
    return handlers.event_handlers(rooms, runtime.redis)
