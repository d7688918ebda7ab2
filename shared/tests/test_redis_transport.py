"""The broker transport: a channel of a closed connection fails as a connection error."""

from __future__ import annotations

import pytest
from kombu import Connection
from kombu.transport import redis as kombu_redis

from shared.config import Settings
from shared.messaging.redis_transport import DetachedChannel, Transport


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
