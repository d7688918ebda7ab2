"""The `stack` fixture itself: every process answers, and a worker can be killed and restarted."""

from __future__ import annotations

import signal

import requests

from devstack.stack import Stack


def test_every_service_and_the_stand_ins_answer(stack: Stack) -> None:
    for name in (*stack.settings.ports, "standins"):
        assert requests.get(f"{stack.urls[name]}/health", timeout=5).status_code == 200, name

    jwks = requests.get(stack.env["CLERK_JWKS_URL"], timeout=5)
    assert jwks.status_code == 200
    assert jwks.json()["keys"]


def test_the_stack_is_private_to_this_session(stack: Stack) -> None:
    assert stack.env["TABLE_PREFIX"].startswith("test-")
    assert stack.env["CELERY_VISIBILITY_TIMEOUT"] == "6"
    assert stack.urls["gateway"] != "http://127.0.0.1:8080"
    assert stack.started_moto


def test_a_killed_worker_comes_back_with_a_fresh_pool(stack: Stack) -> None:
    processes = stack.processes
    pool = processes.children("enrollment-worker")
    assert len(pool) == 2

    processes.kill("enrollment-worker", signal.SIGKILL)
    assert processes.wait("enrollment-worker", 10) == -signal.SIGKILL
    processes.restart("enrollment-worker")

    assert processes.is_running("enrollment-worker")
    new_pool = processes.children("enrollment-worker")
    assert len(new_pool) == 2
    assert not set(new_pool) & set(pool)
