"""Idempotency-Key: remember an unsafe request's response for 24 h and replay it on a retry."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
from collections.abc import Callable

import redis
from flask import Response, request

from gateway.callers import current_caller
from gateway.headers import response_subset
from shared.context import new_id
from shared.web.errors import (
    ApiError,
    BadRequest,
    Conflict,
    Unavailable,
    error_response,
    translated_response,
)
from shared.web.kernel_errors import KERNEL_ERRORS

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
RECORD_TTL_SECONDS = 24 * 3600
LOCK_TTL_SECONDS = 60
_VALID_KEY = re.compile(r"^[\x20-\x7e]{1,255}$")
_RELEASE_IF_OWNER = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


class Idempotency:
    """Records {fingerprint, status, headers, body} per (caller, method, path, key) in Redis."""

    def __init__(self, client: redis.Redis) -> None:
        self._redis = client
        self._release = client.register_script(_RELEASE_IF_OWNER)

    def run(self, handler: Callable[[], Response]) -> Response:
        """Run `handler` once per key; replay its answer for the same request, 409 otherwise."""
        key = request.headers.get(HEADER)
        if key is None or request.method not in UNSAFE_METHODS:
            return handler()
        if not _VALID_KEY.match(key):
            raise BadRequest(
                "Idempotency-Key must be 1 to 255 printable characters.",
                code="invalid_idempotency_key",
                details={HEADER: "1 to 255 printable ASCII characters"},
            )
        scope = _scope(key)
        record_key, lock_key = f"gateway:idem:{scope}", f"gateway:idem-lock:{scope}"
        fingerprint, owner = _fingerprint(), new_id()
        try:
            replay = self._replay_or_lock(record_key, lock_key, fingerprint, owner)
        except redis.RedisError as exc:
            log.warning("idempotency unavailable: redis error", extra={"error": str(exc)})
            raise Unavailable(
                "Idempotent requests are unavailable right now; try again shortly.",
                code="idempotency_unavailable",
            ) from exc
        if replay is not None:
            return replay
        try:
            response = _respond(handler)
            if _final(response):
                self._remember(record_key, fingerprint, response)
        finally:
            self._unlock(lock_key, owner)
        return response

    def _replay_or_lock(
        self, record_key: str, lock_key: str, fingerprint: str, owner: str
    ) -> Response | None:
        """A stored answer to replay, or None once this request holds the in-flight lock."""
        pipe = self._redis.pipeline(transaction=False)
        pipe.set(lock_key, owner, nx=True, ex=LOCK_TTL_SECONDS)
        pipe.get(record_key)
        locked, raw = pipe.execute()
        if raw is None:
            if not locked:
                raise Conflict(
                    "A request with this Idempotency-Key is still in progress.",
                    code="idempotency_in_progress",
                )
            return None
        if locked:
            self._unlock(lock_key, owner)
        return _replay(raw, fingerprint)

    def _remember(self, record_key: str, fingerprint: str, response: Response) -> None:
        record = {
            "fingerprint": fingerprint,
            "status": response.status_code,
            "headers": response_subset(dict(response.headers.items())),
            "body": base64.b64encode(response.get_data()).decode(),
        }
        try:
            self._redis.set(record_key, json.dumps(record), ex=RECORD_TTL_SECONDS)
        except redis.RedisError as exc:
            log.error("idempotency record not stored", extra={"error": str(exc)})

    def _unlock(self, lock_key: str, owner: str) -> None:
        try:
            self._release(keys=[lock_key], args=[owner])
        except redis.RedisError as exc:
            log.warning("idempotency lock not released", extra={"error": str(exc)})


def _scope(key: str) -> str:
    """The key is the caller's own: scoped by caller, method and path, hashed for Redis."""
    material = "\n".join((current_caller().key, request.method, request.path, key))
    return hashlib.sha256(material.encode()).hexdigest()


def _fingerprint() -> str:
    digest = hashlib.sha256(f"{request.method}\n{request.full_path}\n".encode())
    digest.update(request.get_data())
    return digest.hexdigest()


def _replay(raw: bytes, fingerprint: str) -> Response:
    record = json.loads(raw)
    if record["fingerprint"] != fingerprint:
        raise Conflict(
            "This Idempotency-Key was already used for a different request.",
            code="idempotency_key_reused",
        )
    response = Response(
        base64.b64decode(record["body"]), status=record["status"], headers=record["headers"]
    )
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _final(response: Response) -> bool:
    """An answer a retry must get again: not a 5xx, and not a 429 (the request never ran)."""
    return response.status_code < 500 and response.status_code != 429


def _respond(handler: Callable[[], Response]) -> Response:
    """The handler's answer, with a raised ApiError or kernel error rendered so a 4xx can be
    remembered too."""
    try:
        return handler()
    except ApiError as exc:
        return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)
    except tuple(KERNEL_ERRORS) as exc:
        return translated_response(exc, KERNEL_ERRORS)
