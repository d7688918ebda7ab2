"""The `stack` fixture itself (every process answers, a worker can be killed and restarted), and
`python -m devstack` (make run): it restarts what dies and leaves nothing behind when it ends."""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from devstack.probes import free_port, port_open
from devstack.proctree import child_pids, running_groups, signal_process
from devstack.pytest_plugin import TEST_ENV
from devstack.stack import EXTERNAL_URL_NAMES, Stack, default_metrics_ports, metrics_port_variable
from shared.config import SERVICE_PORTS
from tests.helpers import eventually

UP = "local stack is up"


class Devstack:
    """`python -m devstack` as `make run` starts it, and everything it prints."""

    def __init__(self, run_dir: Path, env: dict[str, str]) -> None:
        self.popen = subprocess.Popen(
            (sys.executable, "-m", "devstack"),
            cwd=run_dir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self.lines.append(line)

    def printed(self, pattern: str, timeout: float) -> str:
        def found() -> str | None:
            assert self.popen.poll() is None, "".join(self.lines)
            return next((line for line in self.lines if re.search(pattern, line)), None)

        return eventually(found, timeout=timeout)

    def groups(self) -> list[int]:
        """The process groups of its children (each leads one; its reaper too)."""
        return child_pids(self.popen.pid)

    def group_of(self, command_part: str) -> int:
        (pgid,) = (
            pgid
            for pgid in self.groups()
            if command_part in Path(f"/proc/{pgid}/cmdline").read_text().replace("\0", " ")
        )
        return pgid


def devstack_env() -> dict[str, str]:
    """What `make run` would see, every port free and a Redis and moto of its own."""
    env = {k: v for k, v in os.environ.items() if k not in EXTERNAL_URL_NAMES}
    env.update({f"{service.upper()}_PORT": str(free_port()) for service in SERVICE_PORTS})
    env.update({metrics_port_variable(name): str(free_port()) for name in default_metrics_ports()})
    env.update(
        STANDINS_PORT=str(free_port()),
        REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",
        AWS_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}",
        TABLE_PREFIX=f"test-{secrets.token_hex(4)}-",
    )
    return env


@contextmanager
def running_devstack(run_dir: Path, env: dict[str, str]) -> Iterator[Devstack]:
    devstack = Devstack(run_dir, env)
    try:
        devstack.printed(UP, timeout=150)
        yield devstack
    finally:
        groups = devstack.groups() if devstack.popen.poll() is None else []
        devstack.popen.kill()
        devstack.popen.wait()
        for pgid in groups:
            signal_process(pgid, signal.SIGKILL)


def test_make_run_restarts_what_dies_and_leaves_nothing_behind(tmp_path: Path) -> None:
    env = devstack_env()
    gateway = port_open("127.0.0.1", int(env["GATEWAY_PORT"]))

    with running_devstack(tmp_path, env) as devstack:
        os.killpg(devstack.group_of("enrollment.worker"), signal.SIGKILL)
        devstack.printed(r"enrollment-worker exited with code -9; restarting in 1 s", 10)
        devstack.printed(r"enrollment-worker started again \(restart 1\)", 10)
        os.killpg(devstack.group_of("billing.worker"), signal.SIGSTOP)
        groups = devstack.groups()

        started = time.monotonic()
        devstack.popen.send_signal(signal.SIGTERM)
        assert devstack.popen.wait(15) == 0
        stopped_in = time.monotonic() - started

        assert running_groups(groups) == set()
        assert not gateway()
    print(f"SIGTERM with a stopped worker and one mid-restart: stopped in {stopped_in:.1f} s")

    with running_devstack(tmp_path, env) as devstack:  # the same ports: all free again
        groups = devstack.groups()

        devstack.popen.kill()

        eventually(lambda: not running_groups(groups), timeout=5)
        assert not gateway()


def test_every_service_and_the_stand_ins_answer(stack: Stack) -> None:
    for name in (*stack.settings.ports, "standins"):
        assert requests.get(f"{stack.urls[name]}/health", timeout=5).status_code == 200, name

    jwks = requests.get(stack.env["CLERK_JWKS_URL"], timeout=5)
    assert jwks.status_code == 200
    assert jwks.json()["keys"]


def test_the_stack_is_private_to_this_session(stack: Stack) -> None:
    assert stack.env["TABLE_PREFIX"].startswith("test-")
    assert stack.env["CELERY_VISIBILITY_TIMEOUT"] == TEST_ENV["CELERY_VISIBILITY_TIMEOUT"]
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
