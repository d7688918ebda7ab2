"""kombu's Redis transport with one fix and one saving.

The fix: a channel used after its connection closed raises a connection error, which Celery
recovers from, instead of an AttributeError, which kills it.

On a lost broker Celery's consumer calls `Connection.collect()`, which detaches the transport
(`transport.client = None`), and then closes the connection. Whatever touches a channel of the
old connection after that (closing it again, restoring its unacknowledged messages, acking a
task that finished meanwhile) builds a new connection pool from `transport.client` and fails with
`AttributeError: 'NoneType' object has no attribute 'hostname'`. That error is not among the
transport's connection errors, so it escapes `ignore_errors` and the worker stops with
"Unrecoverable error" (kombu 5.7.0; the same class of failure as celery/celery#10205 and
celery/kombu#582). Raised as a ConnectionError instead, it is ignored like any other error of a
dead connection: the worker reconnects, and what that channel held stays in Redis's unacked set,
from which the visibility timeout brings it back.

The saving: kombu builds a new redis-py client for every command it sends outside the event
loop (each publish, each ack), and building one costs more CPU than the command (redis-py 8 fills
a dict of ~160 response callbacks per client). A channel now keeps one client per connection
pool; redis-py clients are thread-safe, and a new pool (after a reconnect) gets a new client.
"""

from __future__ import annotations

from typing import Any

import redis
from kombu.transport import redis as kombu_redis

TRANSPORT = f"{__name__}:Transport"
"""The name Celery's `broker_transport` setting takes."""


class DetachedChannel(redis.exceptions.ConnectionError):
    """A channel of a connection that was already closed was asked to reach the broker."""


class Channel(kombu_redis.Channel):
    def _connparams(self, asynchronous: bool = False) -> dict[str, Any]:
        if self.connection is None or self.connection.client is None:
            raise DetachedChannel("the broker connection of this channel was closed")
        params: dict[str, Any] = super()._connparams(asynchronous=asynchronous)  # type: ignore[no-untyped-call]
        return params

    def _create_client(self, asynchronous: bool = False) -> Any:
        if asynchronous:
            return super()._create_client(asynchronous=True)  # type: ignore[no-untyped-call]
        pool = self.pool
        kept: tuple[Any, Any] | None = getattr(self, "_kept_client", None)
        if kept is None or kept[0] is not pool:
            kept = (pool, super()._create_client())  # type: ignore[no-untyped-call]
            self._kept_client = kept
        return kept[1]


class Transport(kombu_redis.Transport):
    Channel = Channel
