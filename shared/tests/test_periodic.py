"""Periodic jobs run by the relay: on time, again after a failure, never more often."""

from __future__ import annotations

from shared.config import load_settings
from shared.messaging.periodic import PeriodicJob, seconds_until_next, service_jobs
from shared.runtime import Runtime


def test_a_job_runs_when_due_and_a_failure_waits_for_the_next_interval() -> None:
    runs: list[float] = []

    def flaky() -> None:
        runs.append(len(runs))
        if len(runs) == 1:
            raise RuntimeError("Cashfree is down")

    job = PeriodicJob("reconcile", every_seconds=10, run=flaky)
    for now in (0.0, 5.0, 10.0, 19.9, 20.0):
        job.run_if_due(now)
    assert runs == [0, 1, 2]
    assert seconds_until_next([job], now=25.0) == 5.0
    assert seconds_until_next([], now=25.0) == float("inf")


def test_services_offer_jobs_from_their_periodic_module() -> None:
    billing = Runtime(load_settings("billing"))
    assert [job.name for job in service_jobs("billing", billing)] == ["reconcile"]
    assert service_jobs("catalog", Runtime(load_settings("catalog"))) == []
