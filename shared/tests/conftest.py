"""Fixtures for the shared kernel's tests: a fresh table and Redis DB per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import redis

from shared.config import Settings, load_settings
from shared.dynamo.tables import ensure_table
from shared.runtime import Runtime

TEST_REDIS_DB = "14"


def _redis_url() -> str:
    base = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0]
    return f"{base}/{TEST_REDIS_DB}"


@pytest.fixture
def settings() -> Settings:
    env = dict(os.environ)
    env.update(
        {
            "TABLE_PREFIX": f"t{uuid.uuid4().hex[:8]}-",
            "REDIS_URL": _redis_url(),
            "DISPATCH_TIMEOUT_SECONDS": "0.3",
        }
    )
    return load_settings("enrollment", env)


@pytest.fixture
def broker(settings: Settings) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(settings.messaging.redis_url)
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    rt = Runtime(settings)
    ensure_table(rt.dynamodb, rt.table)
    yield rt
    rt.dynamodb.delete_table(TableName=rt.table)
