"""JSON log lines carrying the service name, correlation_id and event_id, with tokens masked."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

from shared.context import correlation_id_var, event_id_var

_RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
REDACTED = "[redacted]"
_SECRETS = (
    # a `token` (or `access_token`, …) query parameter: how a WebSocket handshake carries the JWT
    re.compile(r"(?i)([?&;](?:\w+_)?token=)[^&;#\s\"'\\]+"),
    # the `bearer.<jwt>` WebSocket subprotocol, the other way it does
    re.compile(r"(?i)(\bbearer\.)[^,;\s\"'\\]+"),
)


def redact(text: str) -> str:
    """`text` with credentials that ride in URLs or subprotocols replaced by [redacted]."""
    for pattern in _SECRETS:
        text = pattern.sub(rf"\g<1>{REDACTED}", text)
    return text


class JsonFormatter(logging.Formatter):
    """One JSON object per line; extra= fields are kept; tokens in URLs never reach the line."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
            "correlation_id": correlation_id_var.get(),
            "event_id": event_id_var.get(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _RESERVED})
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry, default=str))


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
