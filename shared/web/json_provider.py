"""Flask's JSON, refusing bodies nested too deep to parse instead of failing with a 500."""

from __future__ import annotations

from typing import Any

from flask.json.provider import DefaultJSONProvider


class BoundedJSONProvider(DefaultJSONProvider):
    """`[[[[…` nested deeper than Python's recursion limit is malformed JSON like any other:
    `get_json(silent=True)` then answers None and the endpoint its usual 400."""

    sort_keys = False

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError as exc:
            raise ValueError("JSON nested too deeply") from exc
