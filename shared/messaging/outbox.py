"""Transactional outbox: items written with the state change, dispatched after commit.

The sparse OUTBOX index holds two partitions. `OUTBOX#PENDING`, ordered by when an item is
due, lists what still has to go out: committed events and the service's own delayed retries.
`OUTBOX#SENT`, ordered by when it went out, lists what was handed to the broker, so that what a
crashed broker lost can be sent again (`shared.messaging.epoch`); items leave it with their TTL.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any

from shared.clock import iso_ago, now_iso
from shared.context import bound
from shared.dynamo.codec import Item, deserialize, serialize, values
from shared.dynamo.keys import OUTBOX_PENDING, OUTBOX_SENT, outbox_key
from shared.dynamo.reads import query_all
from shared.events.envelope import Envelope
from shared.messaging.publisher import Publisher, PublishFailed

log = logging.getLogger(__name__)

DISPATCHED_TTL_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class Outgoing:
    """An item of the OUTBOX index: an envelope for every subscriber, or for one service (`to`)
    as its `attempt`-th retry; `sort_key` is its place in the index as read."""

    key: dict[str, str]
    sort_key: str
    envelope: Envelope
    to: str | None = None
    attempt: int = 0

    @property
    def event_id(self) -> str:
        return self.envelope.event_id

    @classmethod
    def committed(cls, envelope: Envelope) -> Outgoing:
        """The outbox item `outbox_item(envelope)` wrote."""
        return cls(outbox_key(envelope.event_id), _pending_sort_key(envelope), envelope)

    @classmethod
    def from_item(cls, item: Item) -> Outgoing:
        return cls(
            key={"PK": item["PK"], "SK": item["SK"]},
            sort_key=item["OUTBOXSK"],
            envelope=Envelope.from_dict(json.loads(item["envelope"])),
            to=item.get("to"),
            attempt=int(item.get("attempt", 0)),
        )


def _pending_sort_key(envelope: Envelope) -> str:
    return f"{envelope.occurred_at}#{envelope.event_id}"


def outbox_item(envelope: Envelope) -> Item:
    """A pending outbox item; the sparse OUTBOX index lists it until it is dispatched."""
    return {
        **outbox_key(envelope.event_id),
        "OUTBOXPK": OUTBOX_PENDING,
        "OUTBOXSK": _pending_sort_key(envelope),
        "envelope": json.dumps(envelope.to_dict(), separators=(",", ":")),
        "status": "PENDING",
    }


def oldest_pending_at(client: Any, table: str) -> str | None:
    """When the oldest item still pending was due (a committed event's `occurred_at`), or None
    when nothing is pending: one item read from the sparse OUTBOX index."""
    response = client.query(
        TableName=table,
        IndexName="OUTBOX",
        KeyConditionExpression="OUTBOXPK = :p",
        ExpressionAttributeValues=values(p=OUTBOX_PENDING),
        ProjectionExpression="OUTBOXSK",
        Limit=1,
    )
    items = response.get("Items", [])
    if not items:
        return None
    sort_key: str = deserialize(items[0])["OUTBOXSK"]
    return sort_key.partition("#")[0]


class OutboxDispatcher:
    """Publishes outbox items and moves each to the SENT partition once the broker took it."""

    def __init__(self, client: Any, table: str, publisher: Publisher) -> None:
        self._client = client
        self._table = table
        self._publisher = publisher

    def dispatch(self, items: list[Outgoing]) -> int:
        """Try each item now; failures stay where they are for the relay. Each is sent under
        its own correlation and event ids, so whatever is logged meanwhile (by the relay too,
        long after the request) follows the request that caused it."""
        sent = 0
        for item in items:
            envelope = item.envelope
            with bound(envelope.correlation_id, envelope.event_id):
                try:
                    if item.to is None:
                        self._publisher.publish(envelope)
                    else:
                        self._publisher.send_to(item.to, envelope, attempt=item.attempt)
                except PublishFailed:
                    continue
                self._mark_sent(item)
            sent += 1
        return sent

    def pending(self, older_than_seconds: float, limit: int = 100) -> list[Outgoing]:
        """Items due for longer than the grace period, oldest first."""
        response = self._client.query(
            TableName=self._table,
            IndexName="OUTBOX",
            KeyConditionExpression="OUTBOXPK = :p AND OUTBOXSK < :cutoff",
            ExpressionAttributeValues=values(p=OUTBOX_PENDING, cutoff=iso_ago(older_than_seconds)),
            Limit=limit,
        )
        return [Outgoing.from_item(deserialize(i)) for i in response.get("Items", [])]

    def sent_since(self, since: str) -> list[Outgoing]:
        """Every item handed to the broker at or after `since` (ISO time), oldest first."""
        return [
            Outgoing.from_item(item)
            for item in query_all(
                self._client,
                {
                    "TableName": self._table,
                    "IndexName": "OUTBOX",
                    "KeyConditionExpression": "OUTBOXPK = :p AND OUTBOXSK >= :since",
                    "ExpressionAttributeValues": values(p=OUTBOX_SENT, since=since),
                },
            )
        ]

    def _mark_sent(self, item: Outgoing) -> None:
        """Move the item to SENT under the time it went out, unless it moved meanwhile (another
        relay sent it, or its consumer scheduled a newer retry under the same key)."""
        sent_at = now_iso()
        try:
            self._client.update_item(
                TableName=self._table,
                Key=serialize(item.key),
                UpdateExpression="SET OUTBOXPK = :sent, OUTBOXSK = :sent_key, #s = :d, "
                "dispatched_at = :at, expires_at = :ttl",
                ConditionExpression="OUTBOXSK = :read",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=values(
                    sent=OUTBOX_SENT,
                    sent_key=f"{sent_at}#{item.event_id}",
                    read=item.sort_key,
                    d="DISPATCHED",
                    at=sent_at,
                    ttl=int(time.time()) + DISPATCHED_TTL_SECONDS,
                ),
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            log.debug("outbox item moved meanwhile", extra={"outbox": item.event_id})
        except Exception:
            log.exception("could not mark outbox item dispatched", extra={"outbox": item.event_id})
