"""The idempotent consumer: inbox + effect in one transaction, delayed retries kept in the
service's table, then a dead letter."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from celery import Celery, Task

from shared.backoff import backoff_seconds
from shared.context import bound
from shared.dynamo.keys import inbox_key
from shared.dynamo.transaction import ConditionFailed, TransactionConflict
from shared.events.envelope import Envelope
from shared.events.subscriptions import task_name
from shared.messaging.deadletters import DeadLetterStore
from shared.messaging.retries import RetryScheduler
from shared.messaging.routing import EventHandler
from shared.metrics.instruments import (
    EVENTS_CONSUMED,
    EVENTS_DEAD_LETTERED,
    EVENTS_FAILED,
    event_type_label,
)
from shared.retry import retry_on_conflict
from shared.runtime import Runtime

log = logging.getLogger(__name__)

INBOX_TTL_SECONDS = 30 * 24 * 3600
HANDLED, DUPLICATE = "handled", "duplicate"
OUTCOMES = (HANDLED, DUPLICATE)
OPTIMISTIC_ATTEMPTS = 6
"""One optimistic run (reads skipped, see `UnitOfWork.optimistic`), then five that read."""
RETRY_BASE_SECONDS = 2.0


class AlreadyHandled(Exception):
    """The inbox already holds this event id."""


class NoHandler(Exception):
    """The service is subscribed to a type it has no handler for."""


def inbox_item(event_id: str) -> dict[str, Any]:
    return {**inbox_key(event_id), "expires_at": int(time.time()) + INBOX_TTL_SECONDS}


class Consumer:
    """Runs a handler once per event id, whatever the redeliveries."""

    def __init__(self, runtime: Runtime, handlers: Mapping[str, EventHandler]) -> None:
        self.runtime = runtime
        self.handlers = handlers
        self.dead_letters = DeadLetterStore(runtime.dynamodb, runtime.table)
        self.retries = RetryScheduler(
            runtime.dynamodb,
            runtime.table,
            runtime.settings.service,
            runtime.settings.messaging.relay_grace_seconds,
        )

    def consume(self, envelope: Envelope) -> str:
        """Apply the event's effect unless its inbox entry says it already was: a copy that
        arrives again (redelivery, a duplicate publish) changes nothing; returns (and counts)
        what happened."""
        outcome = self._apply(envelope)
        service = self.runtime.settings.service
        EVENTS_CONSUMED.labels(service, event_type_label(envelope.event_type), outcome).inc()
        return outcome

    def dead_letter(self, envelope: dict[str, Any], error: str, attempts: int) -> None:
        """Keep the envelope for an operator, with the error of its last attempt."""
        self.dead_letters.store(envelope, error, attempts)
        service = self.runtime.settings.service
        EVENTS_DEAD_LETTERED.labels(service, event_type_label(envelope.get("event_type"))).inc()

    def declare_metrics(self) -> None:
        """Start every series this consumer can count at zero, so that the first failure shows
        as an increase rather than as a series appearing out of nowhere."""
        service = self.runtime.settings.service
        for event_type in self.handlers:
            label = event_type_label(event_type)
            for outcome in OUTCOMES:
                EVENTS_CONSUMED.labels(service, label, outcome)
            EVENTS_FAILED.labels(service, label)
            EVENTS_DEAD_LETTERED.labels(service, label)

    def _apply(self, envelope: Envelope) -> str:
        handler = self.handlers.get(envelope.event_type)
        if handler is None:
            raise NoHandler(envelope.event_type)
        payload = envelope.payload()

        def run(attempt: int) -> str:
            uow = self.runtime.unit_of_work()
            uow.optimistic = attempt == 1
            # The inbox entry goes first: when a concurrent copy of the event committed, its
            # condition is the failure reported, not whatever the handler's writes collided with.
            uow.tx.put(
                inbox_item(envelope.event_id),
                condition="attribute_not_exists(PK)",
                on_condition_failed=AlreadyHandled,
            )
            handler(payload, envelope, uow)
            try:
                uow.commit()
            except AlreadyHandled:
                return DUPLICATE
            return HANDLED

        return retry_on_conflict(
            run,
            conflicts=(ConditionFailed, TransactionConflict),
            attempts=OPTIMISTIC_ATTEMPTS,
            give_up=lambda _: TransactionConflict("state kept changing under the handler"),
        )


def register_consumer(app: Celery, consumer: Consumer) -> Task:
    """Bind `<service>.handle_event` to the consumer: a failure schedules a delayed retry in the
    service's table (the message is then acknowledged), the last one leaves a dead letter."""
    settings = consumer.runtime.settings
    messaging = settings.messaging

    @app.task(  # type: ignore[untyped-decorator]
        name=task_name(settings.service), bind=True, max_retries=messaging.max_retries
    )
    def handle_event(task: Task, raw: dict[str, Any], attempt: int = 0) -> str:
        try:
            envelope = Envelope.from_dict(raw)
        except (TypeError, ValueError) as exc:
            consumer.dead_letter(raw if isinstance(raw, dict) else {}, repr(exc), 1)
            log.error("malformed envelope dead-lettered", extra={"error": repr(exc)})
            return "dead-lettered"
        with bound(envelope.correlation_id, envelope.event_id):
            try:
                outcome = consumer.consume(envelope)
            except Exception as exc:
                # `attempt` counts retries sent by the relay, `retries` those parked in the
                # broker when the retry could not be stored.
                attempts = attempt + task.request.retries + 1
                if attempts > messaging.max_retries or isinstance(exc, NoHandler | ValueError):
                    consumer.dead_letter(envelope.to_dict(), repr(exc), attempts)
                    log.exception("event dead-lettered", extra={"event_type": envelope.event_type})
                    return "dead-lettered"
                EVENTS_FAILED.labels(settings.service, event_type_label(envelope.event_type)).inc()
                delay = backoff_seconds(attempts, RETRY_BASE_SECONDS, messaging.retry_backoff_max)
                retry = {"event_type": envelope.event_type, "attempt": attempts, "delay": delay}
                try:
                    consumer.retries.schedule(envelope, attempts, delay)
                except Exception as store_error:
                    # The table is unreachable too: keep the retry in the broker, below the
                    # visibility timeout so that a worker's death returns it soon.
                    log.warning(
                        "event failed; retry parked in the broker",
                        extra={**retry, "error": repr(exc), "store_error": repr(store_error)},
                    )
                    countdown = min(delay, messaging.visibility_timeout / 3)
                    raise task.retry(exc=exc, countdown=countdown) from exc
                log.warning("event failed; retry scheduled", extra={**retry, "error": repr(exc)})
                return "retry-scheduled"
            log.info(
                "event consumed", extra={"event_type": envelope.event_type, "outcome": outcome}
            )
            return outcome

    registered: Task = handle_event
    return registered
