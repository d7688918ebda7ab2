"""The broker transport: a channel of a closed connection fails as a connection error, and a
message is taken by claim, so that a worker dying between the pop and the record loses nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import redis
from kombu import Connection
from kombu.transport import redis as kombu_redis

from shared.config import Settings
from shared.messaging.redis_transport import DetachedChannel, Transport, claim_list

QUEUE = "claims.events"


def detached_channel(settings: Settings, transport: type) -> kombu_redis.Channel:
    """A channel still open when its transport is detached, as `Connection.collect()` leaves it
    when Celery's consumer lost the broker and closing that channel failed on the dead socket."""
    connection = Connection(settings.messaging.redis_url, transport=transport)
    channel = connection.default_channel
    connection._do_close_transport()
    return channel


def test_a_closed_channel_raises_a_recoverable_connection_error(settings: Settings) -> None:
    connection = Connection(settings.messaging.redis_url, transport=Transport)
    channel = connection.default_channel
    connection.collect()
    with pytest.raises(DetachedChannel):
        channel.qos.restore_unacked()


def test_a_detached_channel_raises_a_recoverable_connection_error(settings: Settings) -> None:
    channel = detached_channel(settings, Transport)
    with pytest.raises(DetachedChannel):
        channel.qos.restore_unacked()
    assert issubclass(DetachedChannel, Transport.connection_errors)


def test_kombu_itself_still_fails_with_attribute_error(settings: Settings) -> None:
    """The upstream bug the transport works around; when this fails, kombu fixed it and
    `shared.messaging.redis_transport` can go."""
    channel = detached_channel(settings, kombu_redis.Transport)
    with pytest.raises(AttributeError, match="hostname"):
        channel.qos.restore_unacked()


def test_a_channel_keeps_one_client_per_pool(settings: Settings) -> None:
    """kombu built a redis-py client for every publish and ack; one per pool does the same."""
    connection = Connection(settings.messaging.redis_url, transport=Transport)
    try:
        channel = connection.default_channel
        client = channel._create_client()
        assert channel._create_client() is client
        with channel.conn_or_acquire() as acquired:
            assert acquired is client
            assert acquired.ping()
        channel._pool = None  # what a reconnect does: a new pool, hence a new client
        assert channel._create_client() is not client
        assert channel._create_client(asynchronous=True) is not channel._create_client(True)
    finally:
        connection.release()


@contextmanager
def claiming(settings: Settings, grace_seconds: float = 0) -> Iterator[Any]:
    """A consumer of QUEUE as a worker reads it (one list), its claims orphaned after `grace`."""
    options = {"priority_steps": [0], "claim_grace_seconds": grace_seconds}
    connection = Connection(
        settings.messaging.redis_url, transport=Transport, transport_options=options
    )
    queue = connection.SimpleQueue(QUEUE)
    try:
        yield queue
    finally:
        queue.close()
        connection.release()


def test_a_message_is_taken_by_claim_and_unclaimed_once_recorded(
    settings: Settings, broker: redis.Redis
) -> None:
    with claiming(settings) as queue:
        queue.put({"n": 1})
        message = queue.get(timeout=5)
        assert queue.consumer.channel.claimed_queues() == [QUEUE]
        assert message.payload == {"n": 1}
        assert broker.hexists("unacked", message.delivery_tag)
        assert broker.llen(claim_list(QUEUE)) == 0
        message.ack()
        assert broker.hlen("unacked") == 0


def test_a_claim_its_worker_died_holding_goes_back_to_the_queue(
    settings: Settings, broker: redis.Redis
) -> None:
    """What a SIGKILL between the pop and the record leaves: the message claimed, unrecorded."""
    with claiming(settings) as queue:
        queue.put({"n": 2})
        assert broker.lmove(QUEUE, claim_list(QUEUE), "RIGHT", "LEFT")  # the worker that died
        queue.consumer.consume()  # a live worker of the same queue, which sweeps
        channel = queue.consumer.channel
        channel.qos.restore_visible()  # first seen unrecorded
        assert broker.llen(QUEUE) == 0
        channel.qos.restore_visible()  # still unrecorded after the grace
        assert broker.llen(claim_list(QUEUE)) == 0
        message = queue.get(timeout=5)
        assert message.payload == {"n": 2}
        message.ack()


def test_a_claim_is_left_alone_within_its_grace(settings: Settings, broker: redis.Redis) -> None:
    with claiming(settings, grace_seconds=60) as queue:
        queue.put({"n": 3})
        broker.lmove(QUEUE, claim_list(QUEUE), "RIGHT", "LEFT")
        for _ in range(3):
            assert queue.consumer.channel.return_orphaned_claims(QUEUE) == 0
        assert (broker.llen(claim_list(QUEUE)), broker.llen(QUEUE)) == (1, 0)


def test_a_claim_whose_message_was_recorded_is_dropped_not_doubled(
    settings: Settings, broker: redis.Redis
) -> None:
    """Died after the record, before the unclaim: the visibility timeout brings it back once."""
    with claiming(settings) as queue:
        queue.put({"n": 4})
        raw = broker.lmove(QUEUE, claim_list(QUEUE), "RIGHT", "LEFT")
        tag = json.loads(raw)["properties"]["delivery_tag"]
        broker.hset("unacked", tag, raw)
        channel = queue.consumer.channel
        assert channel.return_orphaned_claims(QUEUE) == 0
        assert channel.return_orphaned_claims(QUEUE) == 0
        assert (broker.llen(claim_list(QUEUE)), broker.llen(QUEUE)) == (0, 0)
