"""JSON log lines: the cheap formatting writes exactly what the plain one did, tokens masked."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.context import bound, correlation_id_var, event_id_var
from shared.logs import JsonFormatter, iso_timestamp, redact

TOKEN = "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"
PLAIN_RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
PLAIN_SECRETS = (
    re.compile(r"(?i)([?&;](?:\w+_)?token=)[^&;#\s\"'\\]+"),
    re.compile(r"(?i)(\bbearer\.)[^,;\s\"'\\]+"),
)


def plain_redact(text: str) -> str:
    """Both patterns over the whole text, as redact did before it skipped clean text."""
    for pattern in PLAIN_SECRETS:
        text = pattern.sub(r"\g<1>[redacted]", text)
    return text


def plain_line(service: str, record: logging.LogRecord) -> str:
    """The line as JsonFormatter first wrote it: datetime, json.dumps, both patterns."""
    entry: dict[str, Any] = {
        "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
        "level": record.levelname,
        "service": service,
        "logger": record.name,
        "message": record.getMessage(),
        "correlation_id": correlation_id_var.get(),
        "event_id": event_id_var.get(),
    }
    entry.update({k: v for k, v in vars(record).items() if k not in PLAIN_RESERVED})
    if record.exc_info:
        entry["exc_info"] = logging.Formatter().formatException(record.exc_info)
    return plain_redact(json.dumps(entry, default=str))


def plain_timestamp(created: float) -> str:
    return datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")


EDGES = [
    0.0,
    0.0005,
    0.9999995,  # rounds up into the next second
    0.9999994,
    1.0000005,  # a half microsecond: to even
    1.0000015,
    1778313357.9995,
    1778313357.9999995,
    1778313357.0015,
    253402300799.999,  # the last millisecond of year 9999
    -1.5,
]


@pytest.mark.parametrize("created", EDGES)
def test_timestamps_read_as_datetime_writes_them(created: float) -> None:
    assert iso_timestamp(created) == plain_timestamp(created)


@given(st.floats(min_value=0, max_value=4e9, allow_nan=False))
@settings(max_examples=1000, derandomize=True, deadline=None)
def test_any_timestamp_reads_as_datetime_writes_it(created: float) -> None:
    assert iso_timestamp(created) == plain_timestamp(created)


MARKED = st.sampled_from(
    ["token=", "TOKEN=", "?access_token=", ";token=", "bearer.", "BeArEr.", "to\u212aen=", "&"]
)
TEXT = st.lists(st.one_of(MARKED, st.text(max_size=6)), max_size=8).map("".join)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT | st.binary(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)


@given(text=TEXT)
@settings(max_examples=500, derandomize=True, deadline=None)
def test_redact_masks_what_both_patterns_mask(text: str) -> None:
    assert redact(text) == plain_redact(text)


@given(
    message=TEXT,
    extra=st.dictionaries(st.from_regex(r"\A[a-z_]{1,10}\Z"), VALUES, max_size=6),
    correlation_id=st.none() | TEXT,
    created=st.floats(min_value=0, max_value=4e9),
)
@settings(max_examples=300, derandomize=True, deadline=None)
def test_a_line_is_what_the_plain_formatting_wrote(
    message: str, extra: dict[str, Any], correlation_id: str | None, created: float
) -> None:
    record = logging.makeLogRecord({"name": "shared.web.access", "msg": message})
    for name, value in extra.items():
        if name not in PLAIN_RESERVED:
            setattr(record, name, value)
    record.created = created
    with bound(correlation_id or None, "e1"):
        assert JsonFormatter("catalog").format(record) == plain_line("catalog", record)


def test_exception_text_and_arguments_are_masked_too() -> None:
    try:
        raise ValueError(f"GET /ws/chat/s1?token={TOKEN}")
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("x", logging.ERROR, "f.py", 1, "via %s", (f"Bearer.{TOKEN}",), None)
    record.exc_info = exc_info
    line = JsonFormatter("gateway").format(record)
    assert TOKEN not in line
    assert line == plain_line("gateway", record)
    assert json.loads(line)["message"] == "via Bearer.[redacted]"


def test_clean_text_comes_back_as_it_was() -> None:
    text = '{"path": "/courses", "route": "/courses"}'
    assert redact(text) is text
    assert redact("/p?x=1&TOKEN=abc") == "/p?x=1&TOKEN=[redacted]"
    assert redact("/p?to\u212aen=abc") == "/p?to\u212aen=[redacted]"  # the Kelvin sign is a k
