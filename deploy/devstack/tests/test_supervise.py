"""Supervisor: when and what it restarts, on a clock the test turns."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

from devstack.processes import ProcessGroup
from devstack.spec import ProcessSpec, StartupError
from devstack.supervise import Backoff, Supervisor


class FakeGroup:
    """Processes that exit when the test says so and come back when relaunched."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}
        self.relaunched: list[str] = []
        self.broken: set[str] = set()

    def exited(self) -> dict[str, int]:
        return dict(self.codes)

    def relaunch(self, name: str) -> None:
        if name in self.broken:
            raise StartupError(name, "could not be started", self.log_path(name))
        self.relaunched.append(name)
        del self.codes[name]

    def log_path(self, name: str) -> Path:
        return Path(f"/nonexistent/{name}.log")

    def log_tail(self, name: str, lines: int) -> str:
        return f"{name}: last words"


def supervised() -> tuple[FakeGroup, Supervisor, list[str]]:
    group, said = FakeGroup(), []
    return group, Supervisor(group, report=said.append), said


def test_the_delay_doubles_from_one_second_up_to_thirty() -> None:
    assert [Backoff().delay(n) for n in range(1, 9)] == [1, 2, 4, 8, 16, 30, 30, 30]


def test_a_process_that_keeps_exiting_waits_longer_each_time() -> None:
    group, supervisor, said = supervised()
    now = 100.0
    for restart, delay in enumerate([1, 2, 4, 8], start=1):
        group.codes["enrollment-worker"] = -9
        supervisor.poll(now)
        assert said[-1].startswith(
            f"devstack: enrollment-worker exited with code -9; restarting in {delay} s"
            f" (restart {restart})"
        )
        assert "enrollment-worker: last words" in said[-1]
        supervisor.poll(now + delay - 0.1)
        assert len(group.relaunched) == restart - 1, "not before its delay"
        now += delay
        supervisor.poll(now)
        assert len(group.relaunched) == restart
        assert said[-1] == f"devstack: enrollment-worker started again (restart {restart})"
        now += 5  # up for 5 s only


def test_a_process_that_stayed_up_a_while_starts_a_new_streak() -> None:
    group, supervisor, said = supervised()
    for now in (0.0, 10.0, 30.0):  # restarts 1, 2, 3: 1 s, 2 s, 4 s
        group.codes["billing-relay"] = 1
        supervisor.poll(now)
        supervisor.poll(now + 4)
    assert "restarting in 4 s (restart 3)" in said[-2]

    group.codes["billing-relay"] = 1
    supervisor.poll(34 + Backoff().stable)

    assert "restarting in 1 s (restart 1)" in said[-1]


def test_a_failed_restart_is_tried_again_later() -> None:
    group, supervisor, said = supervised()
    group.codes["catalog"] = 3
    group.broken.add("catalog")
    supervisor.poll(0)
    supervisor.poll(1)

    assert "catalog could not be started; restarting in 2 s (restart 2)" in said[-1]
    group.broken.clear()
    supervisor.poll(2.9)
    assert group.relaunched == []
    supervisor.poll(3)
    assert group.relaunched == ["catalog"]


def test_only_what_exits_on_its_own_is_restarted(tmp_path: Path) -> None:
    sleeper = (sys.executable, "-c", "import time; print('ready', flush=True); time.sleep(60)")
    said: list[str] = []
    with ProcessGroup(tmp_path / "logs", stop_grace=1) as group:
        group.run_once(ProcessSpec("provision", (sys.executable, "-c", "pass")))
        group.start(*(ProcessSpec(name, sleeper, ready_log="ready") for name in ("kept", "dies")))
        group.stop("kept")
        group.kill("dies", signal.SIGKILL)
        group.wait("dies", 5)
        supervisor = Supervisor(group, report=said.append)

        supervisor.poll(0)
        supervisor.poll(1)

        assert not group.is_running("kept")
        assert group.is_running("dies")
        assert [line.split(";")[0] for line in said] == [
            f"devstack: dies exited with code {-signal.SIGKILL}",
            "devstack: dies started again (restart 1)",
        ]
