"""Rooms and tokens for the chat benchmark: booked sessions as chat sees them, seeded directly."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

from bench.webhooks import Shop
from chat.adapters.repository import ChatRepository
from chat.domain.room import Room
from shared.config import load_settings
from shared.runtime import Runtime


def seed_rooms(env: Mapping[str, str], shop: Shop, chat_url: str, rooms: int) -> list[str]:
    """`rooms` open rooms written through chat's own repository (as its worker would from
    mentorship events), and the plan for the load generator: one URL per participant, the two
    members of a room next to each other."""
    runtime = Runtime(load_settings("chat", env))
    repository = ChatRepository(runtime.dynamodb, runtime.table)
    base = chat_url.replace("http://", "ws://")

    def one_room(index: int) -> list[str]:
        student, teacher = f"user_bs{uuid.uuid4().hex[:10]}", f"user_bt{uuid.uuid4().hex[:10]}"
        room = Room(uuid.uuid4().hex, student, teacher, f"Student {index}", f"Teacher {index}")
        uow = runtime.unit_of_work()
        repository.save_room(uow, room)
        uow.commit()
        return [
            f"{base}/ws/chat/{room.session_id}?token={shop.token(user, role)}"
            for user, role in ((student, "student"), (teacher, "teacher"))
        ]

    with ThreadPoolExecutor(16) as pool:
        return [url for pair in pool.map(one_room, range(rooms)) for url in pair]
