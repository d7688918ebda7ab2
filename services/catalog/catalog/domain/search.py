"""The words of the course search index: how titles, descriptions and queries are normalised."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from shared.invalid import Invalid

# A save writes added and deletes removed word items in one transaction (at most 100 items).
MAX_INDEXED_WORDS = 40
MAX_QUERY_WORDS = 8
MAX_WORD_LENGTH = 40
MIN_WORD_LENGTH = 2

# fmt: off
STOPWORDS = frozenset({
    "a", "about", "all", "an", "and", "any", "are", "as", "at", "be", "by", "can", "do", "for",
    "from", "get", "has", "have", "how", "if", "in", "into", "is", "it", "its", "learn", "more",
    "not", "of", "on", "or", "our", "out", "so", "than", "that", "the", "their", "then", "these",
    "this", "those", "to", "up", "use", "was", "we", "what", "when", "which", "who", "why", "will",
    "with", "you", "your",
})
# fmt: on
_WORD = re.compile(r"[^\W_]+")  # runs of letters and digits
_KEEP_FINAL_S = ("ss", "us", "is")


def index_words(title: str, description: str) -> frozenset[str]:
    """The words a course is found by: every title word, then description words, up to the cap."""
    chosen: dict[str, None] = {}
    for text in (title, description):
        for word in _words(text):
            if len(chosen) == MAX_INDEXED_WORDS:
                return frozenset(chosen)
            chosen.setdefault(word)
    return frozenset(chosen)


class QueryInvalid(Invalid):
    """A search with more words, or longer ones, than a search takes; `details` says which."""


def query_words(q: str) -> tuple[str, ...]:
    """The distinct words of a search string, sorted (a course must hold all of them, so their
    order means nothing); () if none. QueryInvalid beyond MAX_QUERY_WORDS or MAX_WORD_LENGTH."""
    if any(len(raw) > MAX_WORD_LENGTH for raw in _WORD.findall(_fold(q))):
        raise QueryInvalid({"q": f"words of at most {MAX_WORD_LENGTH} characters"})
    words = sorted(set(_words(q)))
    if len(words) > MAX_QUERY_WORDS:
        raise QueryInvalid({"q": f"at most {MAX_QUERY_WORDS} words (stopwords aside)"})
    return tuple(words)


def matches(words: frozenset[str], terms: tuple[str, ...]) -> bool:
    """Whether a course with index `words` has every one of the query `terms`."""
    return all(term in words for term in terms)


def driving_term(terms: tuple[str, ...]) -> str:
    """The term whose index partition to read first: the longest (the rarest, most likely)."""
    if not terms:
        raise ValueError("no search terms")
    return max(terms, key=len)


def _words(text: str) -> Iterator[str]:
    """Normalised words in order of appearance, repeats included."""
    for raw in _WORD.findall(_fold(text)):
        word = _singular(raw)
        if len(raw) >= MIN_WORD_LENGTH and raw not in STOPWORDS and word not in STOPWORDS:
            yield word[:MAX_WORD_LENGTH]


def _fold(text: str) -> str:
    """Casefolded, compatibility-decomposed, with accents (combining marks) removed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _singular(word: str) -> str:
    """A light plural rule: categories -> category, courses -> course; class, status stay."""
    if len(word) <= 3 or not word.endswith("s") or word.endswith(_KEEP_FINAL_S):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    return word[:-1]
