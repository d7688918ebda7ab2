"""Delayed retries kept out of the broker: a failed event waits as a due item in the consuming
service's own table, and that service's relay sends it back to its queue when it is due.

A retry therefore survives the death of any worker and never waits on the broker's visibility
timeout; the item shares the outbox's PENDING partition, so the relay's one query finds both.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from shared.clock import iso, utc_now
from shared.dynamo.codec import serialize, values
from shared.dynamo.keys import OUTBOX_PENDING, retry_key
from shared.events.envelope import Envelope


class RetryScheduler:
    """Schedules the next attempt of an event for one consuming service."""

    def __init__(self, client: Any, table: str, service: str, relay_grace_seconds: float) -> None:
        self._client = client
        self._table = table
        self._service = service
        self._grace = relay_grace_seconds

    def schedule(self, envelope: Envelope, attempt: int, delay_seconds: float) -> bool:
        """Have the relay deliver `envelope` again as retry number `attempt` after the delay;
        False when a later attempt of it is already scheduled (a stale copy failed)."""
        # The relay takes pending items once they are `grace` old, so the due time is set back
        # by the grace period.
        due = iso(utc_now() + timedelta(seconds=delay_seconds - self._grace))
        item = {
            **retry_key(envelope.event_id),
            "OUTBOXPK": OUTBOX_PENDING,
            "OUTBOXSK": f"{due}#{envelope.event_id}",
            "envelope": json.dumps(envelope.to_dict(), separators=(",", ":")),
            "to": self._service,
            "attempt": attempt,
            "status": "PENDING",
        }
        try:
            self._client.put_item(
                TableName=self._table,
                Item=serialize(item),
                ConditionExpression="attribute_not_exists(PK) OR attempt < :attempt",
                ExpressionAttributeValues=values(attempt=attempt),
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True
