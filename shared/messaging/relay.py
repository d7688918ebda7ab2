"""The relay: sweeps outbox items (and delayed retries) still pending after a grace period and
dispatches them, sends again what a restarted broker may have lost, and runs the service's
periodic jobs between sweeps."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
import time
from types import FrameType

from shared.config import load_settings
from shared.logs import configure_logging
from shared.messaging.epoch import BrokerEpoch
from shared.messaging.outbox import OutboxDispatcher
from shared.messaging.periodic import seconds_until_next, service_jobs
from shared.messaging.publisher import Publisher
from shared.metrics.exposition import serve_process_metrics
from shared.runtime import Runtime

log = logging.getLogger(__name__)

MAX_IDLE_WAIT_SECONDS = 4.0


def sweep(dispatcher: OutboxDispatcher, publisher: Publisher, grace_seconds: float) -> int:
    """Dispatch one batch of stale pending items; returns how many went out."""
    publisher.reset()
    pending = dispatcher.pending(older_than_seconds=grace_seconds)
    sent = dispatcher.dispatch(pending) if pending else 0
    if pending:
        log.info("relay swept outbox", extra={"pending": len(pending), "sent": sent})
    return sent


def recover_restart(epoch: BrokerEpoch, dispatcher: OutboxDispatcher, publisher: Publisher) -> int:
    """When the broker restarted, send again what went out since before it was last seen
    alive; the new run is adopted only once all of it went out. Returns how many were sent."""
    restart = epoch.check()
    if restart is None:
        return 0
    publisher.reset()
    lost = dispatcher.sent_since(restart.since)
    sent = dispatcher.dispatch(lost)
    log.warning(
        "broker restarted; sent again what it may have lost",
        extra={"since": restart.since, "items": len(lost), "sent": sent},
    )
    if sent == len(lost):
        epoch.adopt(restart)
    return sent


def run(service: str) -> None:
    settings = load_settings(service)
    configure_logging(f"{service}-relay", settings.log_level)
    serve_process_metrics(settings.metrics, f"{service}-relay")
    runtime = Runtime(settings)
    dispatcher, publisher = runtime.dispatcher, runtime.publisher
    epoch = BrokerEpoch(
        runtime.redis, runtime.dynamodb, runtime.table, settings.messaging.broker_loss_window
    )
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    jobs = service_jobs(service, runtime)
    log.info("relay started", extra={"table": runtime.table, "jobs": [j.name for j in jobs]})
    if epoch.keeps_nothing_on_disk():
        log.warning("the broker runs without AOF: a restart of it loses every queued event")
    idle_wait = settings.messaging.relay_interval
    while not stop.is_set():
        for job in jobs:
            job.run_if_due(time.monotonic())
        try:
            sent = recover_restart(epoch, dispatcher, publisher)
            sent += sweep(dispatcher, publisher, settings.messaging.relay_grace_seconds)
        except Exception:
            log.exception("relay sweep failed")
            sent = 0
        if sent:
            idle_wait = settings.messaging.relay_interval
            continue
        stop.wait(min(idle_wait, seconds_until_next(jobs)))
        idle_wait = min(idle_wait * 2, MAX_IDLE_WAIT_SECONDS)


def main() -> None:
    parser = argparse.ArgumentParser(description="Dispatch a service's pending outbox items.")
    parser.add_argument("service")
    run(parser.parse_args().service)


if __name__ == "__main__":
    main()
