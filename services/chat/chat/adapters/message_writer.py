"""Messages stored in batches: one BatchWriteItem for whatever arrived while the last one ran."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future

from chat.domain.message import ChatMessage

log = logging.getLogger(__name__)
MAX_BATCH = 25
WRITERS = 4
"""Batches in flight at once: one slow write doesn't hold up the messages behind it."""
STORE_TIMEOUT_SECONDS = 10

Store = Callable[[Sequence[ChatMessage]], None]


class MessageWriter:
    """`write` returns once the message is stored (or raises): a message is acknowledged and
    broadcast only after that. Under load, callers waiting together share one write, and a few
    writes run at once."""

    def __init__(self, store: Store, writers: int = WRITERS) -> None:
        self._store = store
        self._pending: queue.Queue[tuple[ChatMessage, Future[None]]] = queue.Queue()
        for number in range(writers):
            name = f"chat-writer-{number}"
            threading.Thread(target=self._run, name=name, daemon=True).start()

    def write(self, message: ChatMessage) -> None:
        done: Future[None] = Future()
        self._pending.put((message, done))
        done.result(timeout=STORE_TIMEOUT_SECONDS)

    def _run(self) -> None:
        while True:
            batch = [self._pending.get()]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._pending.get_nowait())
                except queue.Empty:
                    break
            try:
                self._store([message for message, _ in batch])
            except Exception as exc:  # every waiter hears about it; none is left hanging
                log.exception("storing chat messages failed", extra={"count": len(batch)})
                for _, done in batch:
                    done.set_exception(exc)
                continue
            for _, done in batch:
                done.set_result(None)
