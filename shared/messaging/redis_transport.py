"""kombu's Redis transport with two fixes and one saving.

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

The second fix: kombu pops a message with BRPOP and only then, in the worker, records it as
unacknowledged (`QoS.append`); a worker killed between the two loses the message for good (seen
in the chaos run: a SIGKILLed notifications worker, one receipt never sent). Here a channel that
reads one list takes the message with BLMOVE into that list's claim list, atomically, and removes
the claim once the message is recorded. A claim left behind (its worker died in between) is put
back on the queue by the periodic sweep of any live worker of the queue once it has been seen
unrecorded for `claim_grace_seconds`; a claim whose message was recorded is just dropped, since
the visibility timeout already brings that one back.

The saving: kombu builds a new redis-py client for every command it sends outside the event
loop (each publish, each ack), and building one costs more CPU than the command (redis-py 8 fills
a dict of ~160 response callbacks per client). A channel now keeps one client per connection
pool; redis-py clients are thread-safe, and a new pool (after a reconnect) gets a new client.
"""

from __future__ import annotations

import time
from queue import Empty
from typing import Any

import redis
from kombu.transport import redis as kombu_redis
from kombu.utils.encoding import bytes_to_str
from kombu.utils.json import loads
from kombu.utils.objects import cached_property

CLAIM_GRACE_SECONDS = 10.0
"""How long a claim may stay unrecorded before its message goes back: far longer than a worker
takes between its pop and the record, so that only a dead worker's claims come back."""

TRANSPORT = f"{__name__}:Transport"
"""The name Celery's `broker_transport` setting takes."""


class DetachedChannel(redis.exceptions.ConnectionError):
    """A channel of a connection that was already closed was asked to reach the broker."""


def claim_list(queue: str) -> str:
    """Where a consumer's BLMOVE puts what it takes from `queue`, until it is recorded."""
    return f"claimed:{queue}"


def _claim_ages(queue: str) -> str:
    return f"claimed-seen:{queue}"


_RETURN_ORPHANS = """
local claimed, seen, unacked, queue = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local clock = redis.call('TIME')
local now, grace = tonumber(clock[1]) + tonumber(clock[2]) / 1e6, tonumber(ARGV[1])
local present, returned = {}, 0
for _, raw in ipairs(redis.call('LRANGE', claimed, 0, -1)) do
  local ok, message = pcall(cjson.decode, raw)
  local tag = raw
  if ok and type(message) == 'table' and type(message['properties']) == 'table' then
    tag = message['properties']['delivery_tag'] or raw
  end
  if redis.call('HEXISTS', unacked, tag) == 1 then
    redis.call('LREM', claimed, 1, raw)
  else
    local first = tonumber(redis.call('HGET', seen, tag))
    if first == nil then
      redis.call('HSET', seen, tag, now)
      present[tag] = true
    elseif now - first >= grace then
      redis.call('LREM', claimed, 1, raw)
      redis.call('LPUSH', queue, raw)
      returned = returned + 1
    else
      present[tag] = true
    end
  end
end
for _, tag in ipairs(redis.call('HKEYS', seen)) do
  if not present[tag] then redis.call('HDEL', seen, tag) end
end
return returned
"""
"""Claims of `queue` whose message is recorded are dropped; those seen unrecorded for `grace`
seconds (by Redis's clock, the same for every worker) go back to the queue; returns how many."""


class QoS(kombu_redis.QoS):
    def restore_visible(self, start: int = 0, num: int = 10, interval: int = 10) -> None:
        """kombu's sweep of recorded messages past the visibility timeout, then of claims."""
        super().restore_visible(start, num, interval)  # type: ignore[no-untyped-call]
        channel: Channel = self.channel
        for queue in channel.claimed_queues():
            channel.return_orphaned_claims(queue)


class Channel(kombu_redis.Channel):
    QoS = QoS
    claim_grace_seconds = CLAIM_GRACE_SECONDS
    from_transport_options = (  # type: ignore[assignment]  # one option more than kombu's
        *kombu_redis.Channel.from_transport_options,
        "claim_grace_seconds",
    )
    _claiming: str | None = None

    def claimed_queues(self) -> list[str]:
        """The queues this channel takes from by claim: one list, read whole (no priorities,
        no key prefix); anything else is read the way kombu reads it."""
        if self.priority_steps != [0] or self.global_keyprefix:
            return []
        return list(self.active_queues) if len(self.active_queues) == 1 else []

    def return_orphaned_claims(self, queue: str) -> int:
        """One sweep of `queue`'s claims; how many messages went back to it."""
        with self.conn_or_acquire() as client:
            returned: int = self._orphan_script(
                keys=[claim_list(queue), _claim_ages(queue), self.unacked_key, queue],
                args=[self.claim_grace_seconds],
                client=client,
            )
        return returned

    @cached_property
    def _orphan_script(self) -> Any:
        with self.conn_or_acquire() as client:
            return client.register_script(_RETURN_ORPHANS)

    def _brpop_start(self, timeout: int | None = None) -> None:
        queues = self.claimed_queues()
        if not queues:
            self._claiming = None
            super()._brpop_start(timeout)  # type: ignore[no-untyped-call]
            return
        self._claiming = queues[0]
        self._in_poll = self.client.connection
        self._brpop_sent_at = time.monotonic()  # type: ignore[assignment]
        wait = self.brpop_timeout if timeout is None else timeout
        self.client.connection.send_command(
            "BLMOVE", self._claiming, claim_list(self._claiming), "RIGHT", "LEFT", wait or 0
        )

    def _brpop_read(self, **options: Any) -> bool:
        queue = self._claiming
        if queue is None:
            read: bool = super()._brpop_read(**options)  # type: ignore[no-untyped-call]
            return read
        try:
            try:
                raw = self.client.parse_response(self.client.connection, "BLMOVE", **options)
            except self.connection_errors:
                self.client.connection.disconnect()
                raise
            if raw is None:
                raise Empty()
            self._queue_cycle.rotate(queue)
            try:
                message = loads(bytes_to_str(raw))  # type: ignore[no-untyped-call]
                self.connection._deliver(message, queue)
            finally:
                with self.conn_or_acquire() as client:
                    client.lrem(claim_list(queue), 1, raw)
            return True
        finally:
            self._in_poll = None  # type: ignore[assignment]
            self._flush_brpop_reauth()  # type: ignore[no-untyped-call]

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
