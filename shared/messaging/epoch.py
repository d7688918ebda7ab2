"""Broker restarts, noticed by the broker's run id, and the outbox items they may have lost.

Redis answers a write before it is on disk: with AOF `everysec` a crash loses up to about a
second of writes, without AOF everything. The relay asks the broker's `run_id` (new at every
start) on each loop; when it changed, whatever the outbox handed over since shortly before the
old broker was last seen alive may be gone, and the relay sends it again (consumers' inboxes make
a second copy harmless). The last run id seen is kept in the service's table, so a relay that was
down while the broker restarted still notices.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import redis

from shared.clock import iso
from shared.dynamo.codec import serialize
from shared.dynamo.keys import broker_epoch_key
from shared.dynamo.reads import get_item

log = logging.getLogger(__name__)

CHECKPOINT_SECONDS = 30.0
"""How often the time the broker was last seen alive is written to the table."""


@dataclass
class Epoch:
    """One run of the broker and when it was last seen alive (epoch seconds)."""

    run_id: str
    seen_at: float


@dataclass(frozen=True)
class Restart:
    """The broker restarted: items sent at or after `since` (ISO time) may be lost."""

    since: str
    run_id: str


class BrokerEpoch:
    """Tells the relay when the broker restarted, and from when to send again."""

    def __init__(
        self,
        broker: redis.Redis,
        client: Any,
        table: str,
        loss_window_seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._broker = broker
        self._client = client
        self._table = table
        self._window = loss_window_seconds
        self._clock = clock
        self._known: Epoch | None = None
        self._saved_at = 0.0

    def check(self) -> Restart | None:
        """A Restart when the broker's run id differs from the last one seen; None when it is
        the same, or the broker cannot be asked (nothing can be sent to it anyway)."""
        try:
            run_id = str(self._broker.info("server")["run_id"])
        except redis.RedisError:
            return None
        now = self._clock()
        known = self._known or self._load()
        if known is None:
            self._adopt(run_id, now)
            return None
        self._known = known
        if known.run_id != run_id:
            since = datetime.fromtimestamp(known.seen_at - self._window, UTC)
            return Restart(iso(since), run_id)
        known.seen_at = now
        if now - self._saved_at >= CHECKPOINT_SECONDS:
            self._save(known)
        return None

    def adopt(self, restart: Restart) -> None:
        """Take the new run as the known one, once everything it may have lost went out again."""
        self._adopt(restart.run_id, self._clock())

    def keeps_nothing_on_disk(self) -> bool:
        """True when the broker runs without AOF: a restart loses every queued message, far more
        than the re-send window covers."""
        try:
            return str(self._broker.info("persistence").get("aof_enabled")) == "0"
        except redis.RedisError:
            return False

    def _adopt(self, run_id: str, now: float) -> None:
        self._known = Epoch(run_id, now)
        self._save(self._known)

    def _load(self) -> Epoch | None:
        item = get_item(self._client, self._table, broker_epoch_key())
        return Epoch(str(item["run_id"]), float(item["seen_at"])) if item else None

    def _save(self, epoch: Epoch) -> None:
        item = {**broker_epoch_key(), "run_id": epoch.run_id, "seen_at": epoch.seen_at}
        self._client.put_item(TableName=self._table, Item=serialize(item))
        self._saved_at = epoch.seen_at
