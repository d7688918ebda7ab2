"""JSON from clients, refusing absurd nesting and non-standard numbers instead of failing with a
500: one loader for request bodies, JSON inside form fields, webhooks and socket frames."""

from __future__ import annotations

import json
import math
from typing import Any

from flask.json.provider import DefaultJSONProvider

MAX_DEPTH = 64
"""Far deeper than any real payload (a course outline is 6 levels), far shallower than anything
that walks it recursively afterwards (json.dumps, boto3's serializer) can fail on."""


def bounded_loads(text: str | bytes, **kwargs: Any) -> Any:
    """json.loads, but nesting beyond MAX_DEPTH (or the recursion limit), NaN, Infinity,
    numbers beyond a float (`1e999`) and lone surrogates are a ValueError like any other
    malformed JSON."""
    kwargs.setdefault("parse_float", _finite_float)
    try:
        value = json.loads(text, parse_constant=_refuse_constant, **kwargs)
    except RecursionError as exc:
        raise ValueError("JSON nested too deeply") from exc
    problem = _problem(value)
    if problem is not None:
        raise ValueError(f"unusable JSON: {problem}")
    return value


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} does not fit a number")
    return value


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _problem(value: Any) -> str | None:
    """What makes a parsed document unusable: nesting beyond MAX_DEPTH, or a string that is not
    text (a lone surrogate from `\\ud800`, which no UTF-8 encoder takes). Walked iteratively, so
    that checking cannot itself recurse too deep."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            if not item.isascii() and not _is_text(item):
                return "a string holds a lone surrogate"
        elif isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                return f"nested deeper than {MAX_DEPTH} levels"
            if isinstance(item, dict):
                pending.extend((key, depth) for key in item)
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return None


def _is_text(value: str) -> bool:
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


class BoundedJSONProvider(DefaultJSONProvider):
    """Request bodies through bounded_loads: `get_json(silent=True)` then answers None for
    them and the endpoint its usual 400."""

    sort_keys = False

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return bounded_loads(s, **kwargs)
