"""One unit of work per request or message: state + outbox (+ inbox) in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.dynamo.transaction import Transaction
from shared.events.contracts import Event
from shared.events.envelope import Envelope, wrap
from shared.messaging.outbox import OutboxDispatcher, Outgoing, outbox_item


class UnitOfWork:
    """Collects writes and raised events; commit writes both, then dispatches the events."""

    def __init__(
        self, client: Any, table: str, producer: str, dispatcher: OutboxDispatcher | None
    ) -> None:
        self.tx = Transaction(client, table)
        self.optimistic = False
        """Set by the consumer on an event's first run: a handler may then skip a read whose
        answer is almost always "nothing there", when the conditions of its writes hold it to
        that answer. A failed condition runs the handler again, with this False."""
        self._producer = producer
        self._dispatcher = dispatcher
        self.envelopes: list[Envelope] = []
        self._after_commit: list[Callable[[], object]] = []

    def raise_event(self, event: Event) -> Envelope:
        envelope = wrap(event, self._producer)
        self.tx.put(outbox_item(envelope), condition="attribute_not_exists(PK)")
        self.envelopes.append(envelope)
        return envelope

    def after_commit(self, action: Callable[[], object]) -> None:
        """Run `action` once the transaction committed (a live notice of what it stored)."""
        self._after_commit.append(action)

    def commit(self) -> None:
        """Commit atomically; nothing is published or notified unless the commit succeeded."""
        self.tx.commit()
        if self._dispatcher is not None and self.envelopes:
            self._dispatcher.dispatch([Outgoing.committed(e) for e in self.envelopes])
        for action in self._after_commit:
            action()
