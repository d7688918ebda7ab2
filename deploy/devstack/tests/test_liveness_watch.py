"""make run's liveness watch: a worker that fails /live twice in a row is killed, once."""

from __future__ import annotations

import signal

from devstack.liveness import LivenessWatch


class Group:
    def __init__(self) -> None:
        self.running = {"enrollment-worker": True, "catalog-worker": True}
        self.killed: list[tuple[str, int]] = []

    def is_running(self, name: str) -> bool:
        return self.running[name]

    def kill(self, name: str, sig: int = signal.SIGKILL, *, whole_group: bool = True) -> None:
        self.killed.append((name, sig))


URLS = {"enrollment-worker": "http://e/live", "catalog-worker": "http://c/live"}


def test_two_failures_in_a_row_kill_the_worker() -> None:
    group = Group()
    answers = {"http://e/live": 503, "http://c/live": 200}
    watch = LivenessWatch(group, URLS, status=answers.get, report=lambda _: None)

    watch.probe_all()
    assert group.killed == []
    watch.probe_all()
    assert group.killed == [("enrollment-worker", signal.SIGKILL)]
    watch.probe_all()
    assert len(group.killed) == 1, "the count starts again after a kill"


def test_a_success_or_a_stopped_worker_resets_the_count() -> None:
    group = Group()
    answers = {"http://e/live": 503, "http://c/live": 503}
    watch = LivenessWatch(group, URLS, status=answers.get, report=lambda _: None)

    watch.probe_all()
    answers["http://e/live"] = 200
    group.running["catalog-worker"] = False
    watch.probe_all()
    answers["http://e/live"] = 503
    group.running["catalog-worker"] = True
    watch.probe_all()
    assert group.killed == []
