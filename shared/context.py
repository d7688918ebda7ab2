"""Per-request and per-message context (correlation and event ids) carried into logs and events."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

correlation_id_var: ContextVar[str | None] = ContextVar("correlation_id", default=None)
event_id_var: ContextVar[str | None] = ContextVar("event_id", default=None)


def new_id() -> str:
    """A random version-4 UUID's 32 hex digits, as `uuid.uuid4().hex` gives (without building
    the UUID object, which costs more than the random bytes)."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40  # version 4
    raw[8] = raw[8] & 0x3F | 0x80  # the RFC 4122 variant
    return raw.hex()


def current_correlation_id() -> str:
    """The correlation id in force, or a fresh one when nothing set it."""
    return correlation_id_var.get() or new_id()


@contextmanager
def bound(correlation_id: str | None = None, event_id: str | None = None) -> Iterator[None]:
    """Bind ids for the duration of a block (a request or a message)."""
    c_token = correlation_id_var.set(correlation_id or new_id())
    e_token = event_id_var.set(event_id)
    try:
        yield
    finally:
        event_id_var.reset(e_token)
        correlation_id_var.reset(c_token)
