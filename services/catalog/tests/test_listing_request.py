"""Listing requests in canonical form: the same pages get one key; bounds are a 400's details."""

from __future__ import annotations

import pytest

from catalog.domain.listing import Listing, ListingInvalid, parse_listing
from shared.api.courses import MAX_CATEGORY_CHARS


def refused(category: str | None = None, q: str = "", limit: int = 20) -> dict[str, str]:
    with pytest.raises(ListingInvalid) as invalid:
        parse_listing(category, q, limit)
    return invalid.value.details


def test_the_same_pages_asked_differently_have_one_key() -> None:
    same = [
        parse_listing("Programming", "Python django", 20),
        parse_listing("  programming ", "DJANGO, the python", 20),
        parse_listing("PROGRAMMING", "django django pythons", 20),
    ]
    assert {listing.shared_key for listing in same} == {same[0].shared_key}
    assert same[0] == Listing("programming", ("django", "python"), 20)


def test_every_category_is_absent_empty_or_all_in_any_case() -> None:
    keys = {parse_listing(c, "", 20).shared_key for c in (None, "", "  ", "all", "ALL", " All ")}
    assert len(keys) == 1
    assert parse_listing("All", "", 20).category is None


def test_only_the_default_and_the_largest_page_sizes_are_shared() -> None:
    assert parse_listing(None, "", 20).shared_key is not None
    assert parse_listing(None, "", 100).shared_key is not None
    assert {parse_listing(None, "", n).shared_key for n in (1, 7, 19, 21, 99)} == {None}


def test_different_pages_have_different_keys() -> None:
    listings = [
        parse_listing(None, "", 20),
        parse_listing("design", "", 20),
        parse_listing(None, "python", 20),
        parse_listing("design", "python", 20),
        parse_listing(None, "", 100),
    ]
    assert len({listing.shared_key for listing in listings}) == len(listings)


def test_a_category_longer_than_a_course_may_have_is_refused() -> None:
    assert parse_listing("x" * MAX_CATEGORY_CHARS, "", 20).category == "x" * MAX_CATEGORY_CHARS
    assert "category" in refused("x" * (MAX_CATEGORY_CHARS + 1))
    assert "category" in refused("x" * 5000)


def test_a_category_with_control_characters_is_refused() -> None:
    assert "category" in refused("Design\x00")
    assert "category" in refused("a\nb")
    assert parse_listing("Música & Arte", "", 20).category == "música & arte"


def test_searches_beyond_the_bounds_are_refused_naming_q() -> None:
    assert "q" in refused(q="x" * 101)
    assert "q" in refused(q="alpha beta gamma delta epsilon zeta eta theta iota")
    assert "q" in refused(q="y" * 41)
    both = refused("c" * 61, "w" * 41)
    assert set(both) == {"category", "q"}
    assert parse_listing(None, "the of and a", 20).terms == ()
