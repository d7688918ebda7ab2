"""A real Celery worker against its own Redis: GET /live holds while it consumes and while its
queue is empty, and fails once it stops fetching from a queue that holds messages."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
from celery import Celery

from devstack.backing import redis_server_binary
from devstack.probes import free_port, redis_ping
from devstack.processes import ProcessGroup
from devstack.spec import ProcessSpec

REPO = Path(__file__).resolve().parents[2]
QUEUE = "liveness.events"
NOOP = "liveness.noop"
"""The task shared/tests/liveness_worker.py runs (not imported here: importing it builds a worker)."""
STALL_SECONDS = 2


class Worker:
    def __init__(self, redis_url: str, metrics_port: int) -> None:
        self.broker = redis.Redis.from_url(redis_url)
        self.app = Celery("liveness-test", broker=redis_url)
        self.live_url = f"http://127.0.0.1:{metrics_port}/live"

    def live(self) -> tuple[int, dict[str, Any]]:
        answer = requests.get(self.live_url, timeout=3)
        return answer.status_code, answer.json()

    def send(self, count: int) -> None:
        for _ in range(count):
            self.app.send_task(NOOP, queue=QUEUE)

    def wait_drained(self, timeout: float = 5) -> None:
        deadline = time.monotonic() + timeout
        while self.broker.llen(QUEUE):
            assert time.monotonic() < deadline, "the worker did not take its messages"
            time.sleep(0.05)

    def close(self) -> None:
        self.app.close()
        self.broker.close()


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[Worker]:
    redis_port, metrics_port = free_port(), free_port()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    with ProcessGroup(tmp_path / "logs") as group:
        server = (redis_server_binary(), "--port", str(redis_port), "--bind", "127.0.0.1")
        group.start(
            ProcessSpec(
                "redis",
                (*server, "--save", "", "--appendonly", "no"),
                ready=redis_ping(redis_url),
                timeout=15,
            )
        )
        argv = (
            f"-m celery -A shared.tests.liveness_worker worker -Q {QUEUE} -c 2 -n liveness@%h"
            " --without-gossip --without-mingle --without-heartbeat -l INFO"
        )
        env = {
            "PYTHONPATH": str(REPO),
            "REDIS_URL": redis_url,
            "METRICS_PORT": str(metrics_port),
            "METRICS_HOST": "127.0.0.1",
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
            "WORKER_STALL_SECONDS": str(STALL_SECONDS),
        }
        group.start(
            ProcessSpec(
                "worker",
                (sys.executable, *argv.split()),
                env=env,
                ready_log=r"liveness@\S+ ready\.",
            )
        )
        running = Worker(redis_url, metrics_port)
        yield running
        running.close()


def poll_live(worker: Worker, seconds: float) -> list[tuple[int, dict[str, Any]]]:
    answers = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answers.append(worker.live())
        time.sleep(0.2)
    return answers


def test_live_fails_only_when_the_worker_stops_fetching_from_a_queue_with_messages(
    worker: Worker,
) -> None:
    # Consuming, for longer than the stall limit: live, and each message counts as a fetch.
    for _ in range(STALL_SECONDS * 3):
        worker.send(2)
        status, body = worker.live()
        assert status == 200, body
        time.sleep(0.5)
    worker.wait_drained()
    status, body = worker.live()
    assert status == 200
    assert body["seconds_since_fetch"] < 1

    # Alive but consuming nothing, its queue empty: still live.
    (reply,) = worker.app.control.cancel_consumer(QUEUE, reply=True, limit=1, timeout=5)
    assert "no longer consuming" in str(reply)
    answers = poll_live(worker, STALL_SECONDS + 1)
    assert {status for status, _ in answers} == {200}
    assert answers[-1][1]["seconds_since_fetch"] > STALL_SECONDS
    assert answers[-1][1]["queue_length"] == 0

    # Messages arrive and nobody fetches them: fine at first, not live after the stall limit.
    worker.send(3)
    assert worker.live()[0] == 200
    deadline = time.monotonic() + STALL_SECONDS + 3
    while (answer := worker.live())[0] == 200:
        assert time.monotonic() < deadline, answer
        time.sleep(0.2)
    status, body = answer
    assert status == 503
    assert body["live"] is False
    assert body["queue_length"] == 3
    assert "3 message(s) waiting" in body["reason"]
