"""The cache Redis a process gets: its own instance, never the broker's, or none."""

from __future__ import annotations

import pytest

from shared.config import load_settings
from shared.runtime import Runtime

BROKER = "redis://127.0.0.1:6379/0"


def cache_of(cache_url: str | None) -> object:
    env = {"REDIS_URL": BROKER, **({"CACHE_REDIS_URL": cache_url} if cache_url else {})}
    return Runtime(load_settings("catalog", env)).cache_redis


def test_no_cache_redis_when_unset() -> None:
    assert cache_of(None) is None
    assert cache_of("") is None


@pytest.mark.parametrize(
    "same_instance",
    ["redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/5", "redis://localhost/3"],
)
def test_a_database_of_the_brokers_instance_is_no_cache(same_instance: str) -> None:
    assert cache_of(same_instance) is None


def test_an_instance_of_its_own_is_the_cache() -> None:
    cache = cache_of("redis://127.0.0.1:6380/0")
    assert cache is not None
    assert cache_of("redis://cache-redis:6379/0") is not None
