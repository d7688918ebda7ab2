"""Catalog's DynamoDB keys: courses, their cards (by teacher, by publication), their search words
and each teacher's storage counter."""

from __future__ import annotations

from shared.dynamo.keys import compose, key

PUBLISHED_ALL = "PUBLISHED"
CARD = "CARD"


def course_key(course_id: str) -> dict[str, str]:
    return key(compose("COURSE", course_id), "COURSE")


def card_key(course_id: str) -> dict[str, str]:
    """A course's card: what listings show, and the listing indexes' keys."""
    return key(compose("COURSE", course_id), CARD)


def teacher_index(teacher_id: str, created_at: str, course_id: str) -> dict[str, str]:
    return {"GSI1PK": compose("TEACHER", teacher_id), "GSI1SK": compose(created_at, course_id)}


def teacher_partition(teacher_id: str) -> str:
    return compose("TEACHER", teacher_id)


def storage_key(teacher_id: str) -> dict[str, str]:
    """The counter of the bytes a teacher's courses keep in the bucket."""
    return key(teacher_partition(teacher_id), "STORAGE")


def published_index(category: str, published_at: str, course_id: str) -> dict[str, str]:
    """GSI2 lists every published course, GSI3 those of one category; newest first."""
    sort = compose(published_at, course_id)
    return {
        "GSI2PK": PUBLISHED_ALL,
        "GSI2SK": sort,
        "GSI3PK": category_partition(category),
        "GSI3SK": sort,
    }


def category_partition(category: str) -> str:
    return compose(PUBLISHED_ALL, category.lower())


def word_key(word: str, published_at: str, course_id: str) -> dict[str, str]:
    """One search-index item: a word of a published course, newest course first."""
    return key(word_partition(word), compose(published_at, course_id))


def word_partition(word: str) -> str:
    return compose("WORD", word)
