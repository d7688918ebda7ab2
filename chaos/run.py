"""One chaos run on a running stack: plan, shop while killing, audit until converged, report."""

from __future__ import annotations

import os
import platform
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import redis

from bench.credentials import use_stack_credentials
from bench.webhooks import Shop
from chaos.audit import Check, Expectation, Verdict, converge
from chaos.faults import FaultRecord, run_faults
from chaos.load import OrderRun, Shopper
from chaos.observe import Observer
from chaos.plan import Plan, make_plan
from chaos.report import checks_json, faults_json, figures
from devstack.pytest_plugin import TEST_ENV
from devstack.stack import Stack, StackSettings


class ChaosError(RuntimeError):
    """The run cannot go ahead on this stack."""


@dataclass(frozen=True)
class Options:
    orders: int = 1000
    rate: float = 5.0
    """Orders started per second."""
    seed: int = 1
    every_target: bool = True
    """Each target of each kind of fault once; otherwise one target per kind."""
    redis_kills: int = 2
    deadline_s: float = 120.0
    """How long after the last fault the audit waits for every check to hold."""
    goal_s: float = 60.0
    """The convergence the run must reach, seconds after the last fault."""
    settle_s: float = 10.0
    """How long the checks must keep holding once they all do (late duplicates show here)."""


SMALL = Options(orders=150, every_target=False, redis_kills=1)
"""`make test`'s run: one kill of each kind, one of Redis."""


def chaos_settings(run_dir: Path) -> StackSettings:
    """Free loopback ports, its own Redis and moto, and the test suite's quick timings."""
    return StackSettings.isolated(run_dir, extra_env=TEST_ENV)


def run(stack: Stack, options: Options) -> dict[str, Any]:
    if not stack.started_redis or "redis" not in stack.processes.names:
        raise ChaosError("this stack did not start its Redis: the run only kills its own")
    use_stack_credentials(stack.env)
    plan = make_plan(
        options.orders,
        options.rate,
        options.seed,
        every_target=options.every_target,
        redis_kills=options.redis_kills,
    )
    urls = stack.urls
    shop = Shop(
        urls["gateway"], urls["standins"], urls["enrollment"], stack.env["CASHFREE_CLIENT_SECRET"]
    )
    shopper = Shopper(shop)
    courses = shopper.open_shop(plan)
    aof = redis.Redis.from_url(stack.settings.redis_url).config_get("appendonly")["appendonly"]
    load_average = os.getloadavg()
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=1) as killer:
        struck = killer.submit(
            run_faults,
            stack.processes,
            plan.faults,
            started,
            shopper.progress,
            plan.seed,
        )
        runs = shopper.run(plan, courses, started)
        load_end = time.monotonic()
        faults = struck.result()
    last_fault = started + max((f.at_s for f in faults), default=load_end - started)

    observer = Observer(shop, stack.env, courses)
    created = [run.purchase.order_id for run in runs if run.purchase]
    expect = Expectation.of(runs, observer.paid(created), courses)
    verdict = converge(observer, expect, runs, last_fault, options.deadline_s, options.settle_s)
    convergence_s = _since(verdict.first_pass, last_fault)
    every_check = verdict.checks + _run_checks(runs, expect, faults, stack, verdict)
    every_check.append(Check("converged_within_goal", _late(convergence_s, options.goal_s)))
    return {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_start": load_average,
            "load_average_at_end": os.getloadavg(),
        },
        "options": asdict(options),
        "plan": _plan_json(plan),
        "redis_aof": aof,
        **figures(expect, verdict, runs),
        "convergence_s": convergence_s,
        "convergence_after_load_s": _since(verdict.first_pass, load_end),
        "load_s": round(load_end - started, 1),
        "achieved_rate": round(len(runs) / (load_end - started), 2),
        "faults": faults_json(faults),
        "checks": checks_json(every_check),
        "audit_timeline": verdict.timeline,
        "relapses": verdict.relapses,
        "read_errors": verdict.read_errors,
        "passed": all(check.passed for check in every_check),
        "logs": str(stack.processes.log_dir),
    }


def _run_checks(
    runs: list[OrderRun],
    expect: Expectation,
    faults: list[FaultRecord],
    stack: Stack,
    verdict: Verdict,
) -> list[Check]:
    """What the observations of the stack cannot show: the load, the faults, the processes."""
    paid = {b.order_id for b in expect.paid}
    load = tuple(
        f"order #{run.planned.index}: {run.error or 'not paid at the Cashfree stand-in'}"
        for run in runs
        if run.error
        or run.purchase is None
        or (run.planned.paid and run.purchase.order_id not in paid)
    )
    exited = stack.processes.exited().items()
    return [
        Check("load_complete", load),
        Check(
            "faults_executed", tuple(f"{f.kind} {f.target}: {f.error}" for f in faults if f.error)
        ),
        Check("processes_running", tuple(f"{name} exited with {code}" for name, code in exited)),
        Check("stays_converged", tuple(verdict.relapses)),
        Check("audit_observed", () if verdict.snapshot else ("no observation succeeded",)),
    ]


def _late(convergence_s: float | None, goal_s: float) -> tuple[str, ...]:
    if convergence_s is None:
        return ("never: some check still failed at the deadline",)
    if convergence_s > goal_s:
        return (f"{convergence_s} s after the last fault, the goal is {goal_s} s",)
    return ()


def _since(moment: float | None, origin: float) -> float | None:
    return None if moment is None else round(moment - origin, 1)


def _plan_json(plan: Plan) -> dict[str, Any]:
    return {
        "courses": plan.courses,
        "teachers": plan.teachers,
        "window_s": plan.window,
        "duplicated_orders": sum(1 for o in plan.orders if o.duplicates),
        "duplicate_webhooks": sum(o.duplicates for o in plan.orders),
        "late_failed_orders": sum(1 for o in plan.orders if o.late_failed),
        "forged_orders": sum(1 for o in plan.orders if o.forgery),
    }
