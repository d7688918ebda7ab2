"""Send one copy of an envelope to each subscriber's own queue, failing fast."""

from __future__ import annotations

import logging
import threading
import time

from celery import Celery

from shared.events.envelope import Envelope
from shared.events.subscriptions import queue_name, subscribers, task_name
from shared.metrics.instruments import EVENTS_PUBLISHED, event_type_label

log = logging.getLogger(__name__)

BREAKER_OPEN_SECONDS = 5.0


class PublishFailed(Exception):
    """The broker did not accept every copy; the outbox item stays pending."""


class Publisher:
    """Celery send_task to `<service>.events` on the default exchange (no bindings needed)."""

    def __init__(self, app: Celery) -> None:
        self._app = app
        self._open_until = 0.0
        self._lock = threading.Lock()

    def publish(self, envelope: Envelope) -> None:
        """Deliver to every subscriber, or raise PublishFailed."""
        to = subscribers(envelope.event_type)
        for service in to:
            self.send_to(service, envelope)
        EVENTS_PUBLISHED.labels(envelope.producer, event_type_label(envelope.event_type)).inc()
        log.info(
            "event published",
            extra={
                "event_type": envelope.event_type,
                "aggregate_id": envelope.aggregate_id,
                "to": list(to),
            },
        )

    def send_to(self, service: str, envelope: Envelope, attempt: int = 0) -> None:
        """One copy to `service`'s queue; `attempt` > 0 marks it as that retry of the event."""
        if time.monotonic() < self._open_until:
            raise PublishFailed("broker recently unreachable; leaving it to the relay")
        try:
            self._app.send_task(
                task_name(service),
                args=[envelope.to_dict()],
                kwargs={"attempt": attempt} if attempt else {},
                queue=queue_name(service),
                exchange="",
                routing_key=queue_name(service),
                retry=False,
                # what Celery shows of the arguments in its logs and tools: the event, not the
                # payload (no personal data in the headers, and no repr of it per send)
                argsrepr=f"[{envelope.event_type} {envelope.event_id}]",
                kwargsrepr=f"{{'attempt': {attempt}}}" if attempt else "{}",
            )
        except Exception as exc:
            with self._lock:
                self._open_until = time.monotonic() + BREAKER_OPEN_SECONDS
            log.warning("publish failed", extra={"to": service, "error": repr(exc)})
            raise PublishFailed(str(exc)) from exc

    def reset(self) -> None:
        """Close the breaker (the relay calls this before each sweep)."""
        self._open_until = 0.0
