"""JSON log lines carrying the service name, correlation_id and event_id, with tokens masked."""

from __future__ import annotations

import json
import logging
import math
import re
import sys
from datetime import UTC, datetime
from functools import lru_cache
from itertools import filterfalse
from typing import Any

from shared.context import correlation_id_var, event_id_var

_RESERVED = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_ENCODER = json.JSONEncoder(default=str)
"""What json.dumps(..., default=str) builds on every call, built once."""
REDACTED = "[redacted]"
_SECRETS = (
    # a `token` (or `access_token`, …) query parameter: how a WebSocket handshake carries the JWT
    re.compile(r"(?i)([?&;](?:\w+_)?token=)[^&;#\s\"'\\]+"),
    # the `bearer.<jwt>` WebSocket subprotocol, the other way it does
    re.compile(r"(?i)(\bbearer\.)[^,;\s\"'\\]+"),
)


def redact(text: str) -> str:
    """`text` with credentials that ride in URLs or subprotocols replaced by [redacted]."""
    if not _may_hold_secret(text):
        return text
    for pattern in _SECRETS:
        text = pattern.sub(rf"\g<1>{REDACTED}", text)
    return text


def _may_hold_secret(text: str) -> bool:
    """False when no _SECRETS pattern can match: ASCII text (a JSON line always is) holding
    neither `token=` nor `bearer.` in any case. Far cheaper than running the patterns."""
    if not text.isascii():
        return True  # case-insensitive matching reaches beyond ASCII (the Kelvin sign is a `k`)
    lowered = text.lower()
    return "token=" in lowered or "bearer." in lowered


def iso_timestamp(created: float) -> str:
    """`datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")`, the same text
    (microseconds rounded half to even, then cut to milliseconds), with the date and time of
    day written once per second rather than on every line."""
    if created < 0:
        return datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")
    second = math.floor(created)
    micros = round((created - second) * 1_000_000)
    if micros == 1_000_000:
        second, micros = second + 1, 0
    return f"{_second_text(second)}.{micros // 1000:03d}+00:00"


@lru_cache(maxsize=4)
def _second_text(second: int) -> str:
    """`2026-05-09T07:55:57`: a UTC second as isoformat writes it."""
    return datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")


class JsonFormatter(logging.Formatter):
    """One JSON object per line; extra= fields are kept; tokens in URLs never reach the line."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": iso_timestamp(record.created),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
            "correlation_id": correlation_id_var.get(),
            "event_id": event_id_var.get(),
        }
        fields = vars(record)
        for name in filterfalse(_RESERVED.__contains__, fields):  # the extra= fields, in order
            entry[name] = fields[name]
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        return redact(_ENCODER.encode(entry))


def configure_logging(service: str, level: str = "INFO") -> None:
    """Send every logger's records to stderr as JSON (idempotent)."""
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root.handlers = [handler]
    root.setLevel(level)
    for noisy in ("botocore", "urllib3", "werkzeug", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
