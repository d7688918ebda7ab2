"""Messages stored in batches: one BatchWriteItem for what arrives within a few milliseconds."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future

from chat.domain.message import ChatMessage
from shared.metrics.instruments import CHAT_STAGE_SECONDS

log = logging.getLogger(__name__)
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
Batch = list[tuple[ChatMessage, "Future[None]"]]


class MessageWriter:
    """`write` returns once the message is stored (or raises): a message is acknowledged and
    broadcast only after that. One collector forms batches in arrival order and hands each to
    its own writer, at most `in_flight` at a time."""

    def __init__(
        self, store: Store, linger: float = LINGER_SECONDS, in_flight: int = IN_FLIGHT
    ) -> None:
        self._store = store
        self._linger = linger
        self._slots = threading.BoundedSemaphore(in_flight)
        self._writing = 0
        self._lock = threading.Lock()
        self._pending: queue.Queue[tuple[ChatMessage, Future[None]]] = queue.Queue()
        threading.Thread(target=self._collect, name="chat-batcher", daemon=True).start()

    def write(self, message: ChatMessage) -> None:
        done: Future[None] = Future()
        started = time.perf_counter()
        self._pending.put((message, done))
        try:
            done.result(timeout=STORE_TIMEOUT_SECONDS)
        finally:
            CHAT_STAGE_SECONDS.labels("store").observe(time.perf_counter() - started)

    def _collect(self) -> None:
        while True:
            batch = self._next_batch()
            self._slots.acquire()  # while every writer is busy, the next batch grows
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._pending.get_nowait())
                except queue.Empty:
                    break
            with self._lock:
                self._writing += 1
            threading.Thread(target=self._write, args=(batch,), daemon=True).start()

    def _next_batch(self) -> Batch:
        batch = [self._pending.get()]
        with self._lock:
            idle = self._writing == 0
        until = time.monotonic() + (0 if idle else self._linger)
        while len(batch) < MAX_BATCH:
            wait = until - time.monotonic()
            try:
                batch.append(
                    self._pending.get(timeout=wait) if wait > 0 else self._pending.get_nowait()
                )
            except queue.Empty:
                break
        return batch

    def _write(self, batch: Batch) -> None:
        started = time.perf_counter()
        try:
            self._store(
                [message for message, _ in batch], time.monotonic() + STORE_DEADLINE_SECONDS
            )
        except Exception as exc:  # every waiter hears about it; none is left hanging
            log.exception("storing chat messages failed", extra={"count": len(batch)})
            for _, done in batch:
                done.set_exception(exc)
            return
        finally:
            with self._lock:
                self._writing -= 1
            self._slots.release()
            CHAT_STAGE_SECONDS.labels("batch_write").observe(time.perf_counter() - started)
        for _, done in batch:
            done.set_result(None)
