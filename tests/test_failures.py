"""Real processes fail while a payment is in flight; the enrollment still happens exactly once."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from devstack.stack import Stack
from tests.helpers import Api, eventually
from tests.test_webhook_reliability import assert_enrolled_once, bought

SLOW_HANDLER = {
    "FAULT_HANDLER_DELAY_MS": "2500",
    "PYTHONPATH": str(Path(__file__).parent / "fixtures" / "slow_handlers"),
}
"""Each handler 2.5 s longer, wired by tests/fixtures/slow_handlers/sitecustomize.py."""


def test_pool_child_killed_mid_event_is_redelivered(api: Api, stack: Stack) -> None:
    worker = "enrollment-worker"
    stack.processes.restart(worker, env=SLOW_HANDLER)
    try:
        student, course, order = bought(api)
        assert api.pay(order["order_id"])["delivered"] == 200
        assert eventually(lambda: api.order_status(student, order["order_id"]) == "SUCCESS")
        time.sleep(1.0)  # the event is now inside a pool child's slow handler
        children = stack.processes.children(worker)
        assert children, "the prefork pool has children"
        for pid in children:
            os.kill(pid, signal.SIGKILL)
        assert_enrolled_once(api, student, course["courseId"], order["order_id"])
    finally:
        stack.processes.restart(worker, env={})


def test_whole_worker_killed_and_restarted_redelivers(api: Api, stack: Stack) -> None:
    worker = "enrollment-worker"
    stack.processes.restart(worker, env=SLOW_HANDLER)
    try:
        student, course, order = bought(api)
        assert api.pay(order["order_id"])["delivered"] == 200
        assert eventually(lambda: api.order_status(student, order["order_id"]) == "SUCCESS")
        time.sleep(1.0)
        stack.processes.kill(worker, signal.SIGKILL)
        assert stack.processes.wait(worker, timeout=10) is not None
        assert api.enrolled_courses(student) == []
        stack.processes.restart(worker, env={})
        enrolled = eventually(lambda: api.enrolled_courses(student), timeout=40)
        assert [c["courseId"] for c in enrolled] == [course["courseId"]]
        assert_enrolled_once(api, student, course["courseId"], order["order_id"])
    finally:
        if not stack.processes.is_running(worker):
            stack.processes.restart(worker, env={})


def test_redis_down_while_the_webhook_arrives(api: Api, stack: Stack) -> None:
    student, course, order = bought(api)
    stack.processes.stop("redis")
    try:
        started = time.perf_counter()
        paid = api.pay(order["order_id"])
        assert paid["delivered"] == 200, "the webhook is accepted with the broker down"
        assert time.perf_counter() - started < 5
        assert api.order_status(student, order["order_id"]) == "SUCCESS"
        assert api.enrolled_courses(student) == []
    finally:
        stack.processes.restart("redis")
    enrolled = eventually(lambda: api.enrolled_courses(student), timeout=40)
    assert [c["courseId"] for c in enrolled] == [course["courseId"]]
    assert_enrolled_once(api, student, course["courseId"], order["order_id"])
