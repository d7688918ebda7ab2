"""Messages stored in batches: one BatchWriteItem for what arrives within a few milliseconds."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from chat.batching import Batcher
from chat.domain.message import ChatMessage
from shared.metrics.instruments import CHAT_STAGE_SECONDS

MAX_BATCH = 25
LINGER_SECONDS = 0.01
"""While another batch is being written, how long the next one waits after its first message
for others to share it: a request costs about the same for 2 items as for 25, in this process
(botocore) and in the database. With nothing in flight a batch leaves at once."""
IN_FLIGHT = 4
"""Batches being written at once per process; the next one fills up meanwhile."""
STORE_DEADLINE_SECONDS = 3.0
"""How long one batch may keep retrying; the store gives up then, so one slow response holds up
the messages behind it for at most this long."""
STORE_TIMEOUT_SECONDS = STORE_DEADLINE_SECONDS + 5
"""A sender waits at most this long. It exceeds the store's deadline plus one call's timeout, so
a sender never hears "not stored" about a message that is stored later."""

Store = Callable[[Sequence[ChatMessage], float], None]
"""Stores every message or raises; the float is the monotonic time by which to give up."""


class MessageWriter:
    """`write` returns once the message is stored (or raises): a message is acknowledged and
    broadcast only after that."""

    def __init__(
        self, store: Store, linger: float = LINGER_SECONDS, in_flight: int = IN_FLIGHT
    ) -> None:
        self._store = store
        self._batches = Batcher(
            "chat-store",
            self._write,
            max_batch=MAX_BATCH,
            linger=linger,
            in_flight=in_flight,
            timeout=STORE_TIMEOUT_SECONDS,
        )

    def write(self, message: ChatMessage) -> None:
        started = time.perf_counter()
        try:
            self._batches.submit(message)
        finally:
            CHAT_STAGE_SECONDS.labels("store").observe(time.perf_counter() - started)

    def _write(self, messages: Sequence[ChatMessage]) -> None:
        started = time.perf_counter()
        try:
            self._store(messages, time.monotonic() + STORE_DEADLINE_SECONDS)
        finally:
            CHAT_STAGE_SECONDS.labels("batch_write").observe(time.perf_counter() - started)
