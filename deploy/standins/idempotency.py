"""Idempotency keys: a repeat with the same body replays the stored response for 24 hours."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass
from typing import Any

DAY_SECONDS = 24 * 3600


class IdempotencyKeyMismatchError(Exception):
    """The key was used before with a different request body."""


@dataclass(frozen=True)
class StoredResponse:
    """The first response given under a key, with the fingerprint of its request."""

    fingerprint: str
    status: int
    body: Any
    stored_at: float


def fingerprint(payload: Any) -> str:
    """A stable hash of a JSON request body (key order and whitespace do not matter)."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class IdempotencyStore:
    """Thread-safe responses remembered per key for `ttl_seconds`."""

    def __init__(self, ttl_seconds: float = DAY_SECONDS) -> None:
        self._ttl_seconds = ttl_seconds
        self._lock = threading.Lock()
        self._responses: dict[str, StoredResponse] = {}

    def lookup(self, key: str, request_fingerprint: str) -> StoredResponse | None:
        """The response to replay, None if the key is new; raises on a different body."""
        with self._lock:
            stored = self._responses.get(key)
            if stored is None or time.time() - stored.stored_at > self._ttl_seconds:
                return None
        if stored.fingerprint != request_fingerprint:
            raise IdempotencyKeyMismatchError(key)
        return stored

    def remember(self, key: str, request_fingerprint: str, status: int, body: Any) -> None:
        """Keep the response given to the first request under `key`."""
        with self._lock:
            self._responses[key] = StoredResponse(request_fingerprint, status, body, time.time())
