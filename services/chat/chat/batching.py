"""Work handed in one item at a time by many senders, done in batches in arrival order."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

log = logging.getLogger(__name__)
Item = TypeVar("Item")


class _Waiter:
    """One sender's wait for its batch: an Event (under gevent, gevent's own, much lighter than
    a Future's condition variable) and what the batch raised, if anything."""

    __slots__ = ("done", "error")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.error: BaseException | None = None

    def finish(self, error: BaseException | None = None) -> None:
        self.error = error
        self.done.set()


class Batcher(Generic[Item]):
    """`submit` returns once the item's batch is done (or raises what the batch raised).
    `in_flight` workers take turns forming batches of at most `max_batch` and each does its
    own: with nothing in flight a batch leaves at once; while one is, the next waits up to
    `linger` for company, and while every worker is busy, what arrives waits for the next free
    one to take it all."""

    def __init__(
        self,
        name: str,
        work: Callable[[Sequence[Item]], None],
        *,
        max_batch: int,
        linger: float,
        in_flight: int,
        timeout: float,
    ) -> None:
        self._name = name
        self._work = work
        self._max_batch = max_batch
        self._linger = linger
        self._timeout = timeout
        self._working = 0
        self._lock = threading.Lock()
        self._forming = threading.Lock()
        self._pending: queue.SimpleQueue[tuple[Item, _Waiter]] = queue.SimpleQueue()
        for n in range(in_flight):
            threading.Thread(target=self._serve, name=f"{name}-batch-{n}", daemon=True).start()

    def submit(self, item: Item) -> None:
        """Blocks until the batch holding `item` is done (raising what it raised); TimeoutError
        after `timeout` seconds."""
        waiter = _Waiter()
        self._pending.put((item, waiter))
        if not waiter.done.wait(self._timeout):
            raise TimeoutError(f"{self._name}: no answer in {self._timeout} s")
        if waiter.error is not None:
            raise waiter.error

    def _serve(self) -> None:
        while True:
            with self._forming:  # one worker forms the next batch; the others are busy or wait
                batch = self._next_batch()
                with self._lock:
                    self._working += 1
            self._run(batch)

    def _next_batch(self) -> list[tuple[Item, _Waiter]]:
        batch = [self._pending.get()]
        with self._lock:
            idle = self._working == 0
        until = time.monotonic() + (0 if idle else self._linger)
        while len(batch) < self._max_batch:
            wait = until - time.monotonic()
            try:
                batch.append(
                    self._pending.get(timeout=wait) if wait > 0 else self._pending.get_nowait()
                )
            except queue.Empty:
                break
        return batch

    def _run(self, batch: list[tuple[Item, _Waiter]]) -> None:
        try:
            self._work([item for item, _ in batch])
        except Exception as exc:  # every waiter hears about it; none is left hanging
            log.exception("%s batch failed", self._name, extra={"count": len(batch)})
            for _, waiter in batch:
                waiter.finish(exc)
            return
        finally:
            with self._lock:
                self._working -= 1
        for _, waiter in batch:
            waiter.finish()
