"""A public listing request in canonical form: two requests for the same pages are equal."""

from __future__ import annotations

import json
from dataclasses import dataclass

from catalog.domain.search import QueryInvalid, query_words
from shared.api.courses import MAX_CATEGORY_CHARS
from shared.invalid import Invalid
from shared.web.responses import DEFAULT_LIMIT, MAX_LIMIT

EVERY_CATEGORY = "all"
MAX_QUERY_CHARS = 100
SHARED_LIMITS = frozenset({DEFAULT_LIMIT, MAX_LIMIT})
"""Page sizes whose pages are cached: the default and the largest; others are rendered each time."""


class ListingInvalid(Invalid):
    """The listing request names bad parameters; `details` maps each to its problem."""


@dataclass(frozen=True)
class Listing:
    """Published courses of one category (None: every one) holding every term, `limit` a page."""

    category: str | None
    terms: tuple[str, ...]
    limit: int

    @property
    def shared_key(self) -> str | None:
        """The key its pages are cached under; None for a page size that is not cached."""
        if self.limit not in SHARED_LIMITS:
            return None
        return json.dumps([self.category, self.terms, self.limit], separators=(",", ":"))


def parse_listing(category: str | None, q: str, limit: int) -> Listing:
    """Category trimmed and lower-cased (`all` or empty: every one), the search as its sorted
    distinct words; ListingInvalid naming every parameter out of bounds."""
    errors: dict[str, str] = {}
    chosen = (category or "").strip()
    if len(chosen) > MAX_CATEGORY_CHARS or not chosen.isprintable():
        errors["category"] = f"a printable text of at most {MAX_CATEGORY_CHARS} characters"
    terms: tuple[str, ...] = ()
    if len(q) > MAX_QUERY_CHARS:
        errors["q"] = f"at most {MAX_QUERY_CHARS} characters"
    else:
        try:
            terms = query_words(q)
        except QueryInvalid as invalid:
            errors.update(invalid.details)
    if errors:
        raise ListingInvalid(errors)
    folded = chosen.lower()
    return Listing(None if folded in ("", EVERY_CATEGORY) else folded, terms, limit)
