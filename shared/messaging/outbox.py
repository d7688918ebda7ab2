"""Transactional outbox: items written with the state change, dispatched after commit."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from shared.clock import iso_ago, now_iso
from shared.context import bound
from shared.dynamo.codec import Item, deserialize, values
from shared.dynamo.keys import OUTBOX_PENDING, outbox_key
from shared.events.envelope import Envelope
from shared.messaging.publisher import Publisher, PublishFailed

log = logging.getLogger(__name__)

DISPATCHED_TTL_SECONDS = 7 * 24 * 3600


def outbox_item(envelope: Envelope) -> Item:
    """A pending outbox item; the sparse OUTBOX index lists it until it is dispatched."""
    return {
        **outbox_key(envelope.event_id),
        "OUTBOXPK": OUTBOX_PENDING,
        "OUTBOXSK": f"{envelope.occurred_at}#{envelope.event_id}",
        "envelope": json.dumps(envelope.to_dict(), separators=(",", ":")),
        "status": "PENDING",
    }


def oldest_pending_at(client: Any, table: str) -> str | None:
    """When the oldest item still pending was committed (its `occurred_at`), or None when
    nothing is pending: one item read from the sparse OUTBOX index."""
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
    """Publishes committed outbox items and marks them dispatched."""

    def __init__(self, client: Any, table: str, publisher: Publisher) -> None:
        self._client = client
        self._table = table
        self._publisher = publisher

    def dispatch(self, envelopes: list[Envelope]) -> int:
        """Try each committed envelope now; failures stay pending for the relay. Each is sent
        under its own correlation and event ids, so whatever is logged meanwhile (by the relay
        too, long after the request) follows the request that caused it."""
        sent = 0
        for envelope in envelopes:
            with bound(envelope.correlation_id, envelope.event_id):
                try:
                    self._publisher.publish(envelope)
                except PublishFailed:
                    continue
                self._mark_dispatched(envelope.event_id)
            sent += 1
        return sent

    def pending(self, older_than_seconds: float, limit: int = 100) -> list[Envelope]:
        """Committed items still pending after the grace period, oldest first."""
        response = self._client.query(
            TableName=self._table,
            IndexName="OUTBOX",
            KeyConditionExpression="OUTBOXPK = :p AND OUTBOXSK < :cutoff",
            ExpressionAttributeValues=values(p=OUTBOX_PENDING, cutoff=iso_ago(older_than_seconds)),
            Limit=limit,
        )
        items = [deserialize(i) for i in response.get("Items", [])]
        return [Envelope.from_dict(json.loads(i["envelope"])) for i in items]

    def _mark_dispatched(self, event_id: str) -> None:
        try:
            self._client.update_item(
                TableName=self._table,
                Key={k: {"S": v} for k, v in outbox_key(event_id).items()},
                UpdateExpression="REMOVE OUTBOXPK, OUTBOXSK SET #s = :d, dispatched_at = :at, "
                "expires_at = :ttl",
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=values(
                    d="DISPATCHED",
                    at=now_iso(),
                    ttl=int(time.time()) + DISPATCHED_TTL_SECONDS,
                ),
            )
        except Exception:
            log.exception("could not mark outbox item dispatched", extra={"outbox": event_id})
