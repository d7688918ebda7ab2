"""A broker that restarts and loses what it was handed: the relay notices and sends it again."""

from __future__ import annotations

import dataclasses
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from devstack.backing import redis_server_binary
from devstack.probes import free_port
from shared.config import Settings
from shared.dynamo.tables import ensure_table
from shared.events.contracts import EnrollmentCreated
from shared.messaging.epoch import BrokerEpoch
from shared.messaging.relay import recover_restart
from shared.runtime import Runtime

QUEUE = "catalog.events"  # enrollment.created is consumed by catalog


class Broker:
    """A Redis of this test's own that keeps nothing on disk, so a restart loses everything."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        argv = [redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1"]
        argv += ["--save", "", "--appendonly", "no", "--dir", str(self.directory)]
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
        client = self.client()
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "the test's Redis did not start"
                time.sleep(0.05)

    def crash(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=1, socket_connect_timeout=1)


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[Broker]:
    own = Broker(tmp_path)
    own.start()
    try:
        yield own
    finally:
        own.crash()


@pytest.fixture
def on_broker(settings: Settings, own_broker: Broker) -> Iterator[Runtime]:
    messaging = dataclasses.replace(settings.messaging, redis_url=own_broker.url)
    runtime = Runtime(dataclasses.replace(settings, messaging=messaging))
    ensure_table(runtime.dynamodb, runtime.table)
    yield runtime
    runtime.dynamodb.delete_table(TableName=runtime.table)


def commit_event(runtime: Runtime) -> str:
    uow = runtime.unit_of_work()
    envelope = uow.raise_event(
        EnrollmentCreated(user_id="u1", course_id="c1", order_id="o1", enrolled_at="t")
    )
    uow.commit()
    return envelope.event_id


def epoch_of(runtime: Runtime) -> BrokerEpoch:
    return BrokerEpoch(runtime.redis, runtime.dynamodb, runtime.table, loss_window_seconds=5)


def test_what_a_restarted_broker_lost_is_sent_again(on_broker: Runtime, own_broker: Broker) -> None:
    epoch = epoch_of(on_broker)
    assert recover_restart(epoch, on_broker.dispatcher, on_broker.publisher) == 0
    event_id = commit_event(on_broker)
    assert own_broker.client().llen(QUEUE) == 1, "sent at commit"

    own_broker.crash()
    own_broker.start()
    assert own_broker.client().llen(QUEUE) == 0, "the restart lost it"

    assert recover_restart(epoch, on_broker.dispatcher, on_broker.publisher) == 1
    assert own_broker.client().llen(QUEUE) == 1
    assert event_id.encode() in own_broker.client().lindex(QUEUE, 0)
    assert recover_restart(epoch, on_broker.dispatcher, on_broker.publisher) == 0, "once"


def test_a_relay_that_was_down_during_the_restart_still_notices(
    on_broker: Runtime, own_broker: Broker
) -> None:
    assert epoch_of(on_broker).check() is None  # the run id is now in the table
    commit_event(on_broker)
    own_broker.crash()
    own_broker.start()

    restarted = epoch_of(on_broker)  # a new relay process
    assert recover_restart(restarted, on_broker.dispatcher, on_broker.publisher) == 1
    assert own_broker.client().llen(QUEUE) == 1


def test_items_sent_long_before_the_restart_are_not_sent_again(
    on_broker: Runtime, own_broker: Broker
) -> None:
    clock = [time.time()]
    epoch = BrokerEpoch(
        on_broker.redis, on_broker.dynamodb, on_broker.table, 5, clock=lambda: clock[0]
    )
    commit_event(on_broker)
    clock[0] += 60  # the broker is seen alive a minute later: what was sent before is on disk
    assert epoch.check() is None
    own_broker.crash()
    own_broker.start()

    assert recover_restart(epoch, on_broker.dispatcher, on_broker.publisher) == 0
    assert epoch.check() is None, "the new run is adopted"


def test_a_broker_without_aof_is_reported(on_broker: Runtime) -> None:
    assert epoch_of(on_broker).keeps_nothing_on_disk()
