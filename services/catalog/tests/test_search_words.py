"""Search words: accents, case, plurals, stopwords, the cap, and queries normalised like courses."""

from __future__ import annotations

import pytest

from catalog.domain.search import (
    MAX_INDEXED_WORDS,
    MAX_QUERY_WORDS,
    QueryInvalid,
    driving_term,
    index_words,
    matches,
    query_words,
)


def test_accents_and_case_fold_to_plain_lowercase() -> None:
    words = index_words("Café CRÈME Brûlée", "Straße")
    assert {"cafe", "creme", "brulee", "strasse"} <= words
    assert matches(words, query_words("cafe"))
    assert matches(words, query_words("CAFÉ crème"))


def test_plurals_become_singular_but_class_and_status_stay() -> None:
    assert query_words("courses categories class status basics") == (
        "basic",
        "category",
        "class",
        "course",
        "status",
    )
    assert query_words("bus aws ties") == ("aws", "bus", "tie")


def test_stopwords_and_single_characters_are_not_words() -> None:
    assert index_words("Learn the Basics of Go", "How to build it, a to z") == frozenset(
        {"basic", "go", "build"}
    )
    assert query_words("the and of a") == ()
    assert query_words("   ,;!  ") == ()


def test_punctuation_splits_and_digits_are_kept() -> None:
    words = index_words("Python3 & Django: the 2024 edition!", "REST-APIs, e-mail; C++")
    assert {"python3", "django", "2024", "edition", "rest", "apis", "mail"} <= words
    assert "c" not in words and "e" not in words
    assert matches(words, query_words("python3 2024"))
    assert not matches(words, query_words("python 2024"))


def test_indexed_words_longer_than_forty_characters_are_truncated_and_searched_ones_refused() -> (
    None
):
    long_word = "x" * 60
    assert index_words(long_word, "") == frozenset({"x" * 40})
    assert query_words("x" * 40) == ("x" * 40,)
    with pytest.raises(QueryInvalid) as refused:
        query_words(f"python {long_word}")
    assert "40" in refused.value.details["q"]


def test_the_cap_keeps_every_title_word_then_description_words_in_order() -> None:
    title = " ".join(f"title{n}" for n in range(5))
    description = " ".join(f"word{n}" for n in range(100)) + " " + "word0 " * 10
    words = index_words(title, description)
    assert len(words) == MAX_INDEXED_WORDS
    assert {f"title{n}" for n in range(5)} <= words
    assert {f"word{n}" for n in range(MAX_INDEXED_WORDS - 5)} <= words
    assert f"word{MAX_INDEXED_WORDS - 5}" not in words


def test_title_words_win_even_when_the_title_alone_fills_the_cap() -> None:
    title = " ".join(f"t{n}" for n in range(MAX_INDEXED_WORDS + 10))
    words = index_words(title, "description")
    assert words == {f"t{n}" for n in range(MAX_INDEXED_WORDS)}


def test_queries_are_deduplicated_sorted_and_refused_beyond_the_word_cap() -> None:
    assert query_words("Kubernetes Docker docker DOCKERS") == ("docker", "kubernete")
    assert query_words("django python") == query_words("  PYTHON, the Django  python ")
    words = [f"w{n}" for n in range(MAX_QUERY_WORDS)]
    assert query_words(" ".join(reversed(words))) == tuple(sorted(words))
    assert query_words(" ".join([*words, "the", "and", "of", "w0"])) == tuple(sorted(words))
    with pytest.raises(QueryInvalid) as refused:
        query_words(" ".join([*words, "extra"]))
    assert str(MAX_QUERY_WORDS) in refused.value.details["q"]


def test_a_query_is_normalised_exactly_like_the_course_it_should_find() -> None:
    words = index_words("Machine-Learning Courses für Anfänger", "Neural networks, explained.")
    assert matches(words, query_words("machine learning course"))
    assert matches(words, query_words("FUR anfanger"))
    assert matches(words, query_words("network"))
    assert matches(words, query_words("NEURAL NETWORKS!"))


def test_every_term_must_match() -> None:
    words = frozenset({"python", "django"})
    assert matches(words, ("python", "django"))
    assert not matches(words, ("python", "flask"))


def test_the_longest_term_drives_ties_go_to_the_first() -> None:
    assert driving_term(("go", "kubernetes", "docker")) == "kubernetes"
    assert driving_term(("java", "rust", "ruby")) == "java"
    with pytest.raises(ValueError, match="no search terms"):
        driving_term(())
