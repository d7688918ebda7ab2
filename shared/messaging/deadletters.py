"""Dead letters: envelopes whose handling failed after every retry, kept for an operator."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from shared.clock import now_iso
from shared.dynamo.codec import serialize
from shared.dynamo.keys import DEAD_LETTERS, dead_letter_key
from shared.dynamo.reads import get_item, query_page
from shared.events.envelope import Envelope
from shared.messaging.publisher import Publisher


@dataclass(frozen=True)
class DeadLetter:
    event_id: str
    event_type: str
    failed_at: str
    error: str
    attempts: int
    envelope: dict[str, Any]


class DeadLetterStore:
    """Dead letters of one service, in its own table, listed through GSI1."""

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def store(self, envelope: dict[str, Any], error: str, attempts: int) -> None:
        event_id = str(envelope.get("event_id") or "unknown")
        failed_at = now_iso()
        self._client.put_item(
            TableName=self._table,
            Item=serialize(
                {
                    **dead_letter_key(event_id),
                    "GSI1PK": DEAD_LETTERS,
                    "GSI1SK": f"{failed_at}#{event_id}",
                    "event_id": event_id,
                    "event_type": str(envelope.get("event_type")),
                    "failed_at": failed_at,
                    "error": error[:2000],
                    "attempts": attempts,
                    "envelope": json.dumps(envelope),
                }
            ),
        )

    def list(self, limit: int = 100) -> list[DeadLetter]:
        page = query_page(self._client, self._table, "GSI1", DEAD_LETTERS, limit, None)
        return [self._letter(item) for item in page.items]

    def replay(self, service: str, publisher: Publisher, event_id: str) -> bool:
        """Send a dead letter back to the service's queue, then forget it."""
        found = get_item(self._client, self._table, dead_letter_key(event_id))
        if not found:
            return False
        letter = self._letter(found)
        publisher.send_to(service, Envelope.from_dict(letter.envelope))
        self._client.delete_item(TableName=self._table, Key=serialize(dead_letter_key(event_id)))
        return True

    @staticmethod
    def _letter(item: dict[str, Any]) -> DeadLetter:
        return DeadLetter(
            event_id=item["event_id"],
            event_type=item["event_type"],
            failed_at=item["failed_at"],
            error=item["error"],
            attempts=int(item["attempts"]),
            envelope=json.loads(item["envelope"]),
        )
