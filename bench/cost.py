"""What one unit of work costs: CPU by process group and DynamoDB requests by service, per unit.

`snapshot()` reads every process's CPU time and scrapes every process's `/metrics` for
`prolearn_dynamodb_requests_total`; `measure_unit` takes one before and one after `n` runs of a
unit and divides the difference by `n`. What the stack spends anyway, idle (relays polling,
workers waiting, the scrape's own outbox-lag query), is measured once by `Meter.calibrate` and
taken off, so the figures are the unit's marginal cost.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Any

import requests
from prometheus_client.parser import text_string_to_metric_families

from bench.cpu import NOT_OURS, cpu_by_group, group_name, tree_cpu_seconds
from bench.webhooks import percentile
from devstack.stack import Stack
from shared.config import SERVICE_PORTS

METRIC = "prolearn_dynamodb_requests"
Counts = defaultdict[tuple[str, str, str], float]
"""DynamoDB requests by (process group, service, operation)."""


def counts(items: dict[tuple[str, str, str], float] | None = None) -> Counts:
    return defaultdict(float, items or {})


@dataclass(frozen=True)
class Snapshot:
    at: float
    cpu: dict[str, float]
    """CPU seconds by process group."""
    dynamodb: Counts
    """DynamoDB requests made so far."""


@dataclass(frozen=True)
class UnitCost:
    unit: str
    n: int
    cpu_ms: dict[str, float]
    """CPU-ms per unit by process group (idle spending taken off)."""
    cpu_ms_ours: float
    """Over ProLearn's own processes: every group but the emulator, stand-ins and Redis."""
    cpu_ms_emulator: float
    dynamodb: dict[str, dict[str, float]]
    """DynamoDB requests per unit, by service, then operation."""
    dynamodb_by_process: dict[str, float]
    """The same requests by the process group that made them."""
    dynamodb_requests: float
    p50_ms: float
    p99_ms: float
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Batch:
    """What a load generator did: how many units, and their latency."""

    units: int
    p50_ms: float
    p99_ms: float


def metrics_urls(stack: Stack) -> dict[str, str]:
    """Every process's metrics by group: each web's GET /metrics, each worker's and relay's
    port."""
    urls = {group_name(service): f"{stack.urls[service]}/metrics" for service in SERVICE_PORTS}
    suffix = "-metrics"
    return urls | {
        name.removesuffix(suffix): url for name, url in stack.urls.items() if name.endswith(suffix)
    }


def dynamodb_counts(group: str, url: str, into: Counts) -> None:
    try:
        text = requests.get(url, timeout=10).text
    except requests.RequestException:
        return
    for family in text_string_to_metric_families(text):
        if family.name == METRIC:
            for sample in family.samples:
                if sample.name.endswith("_total"):
                    key = (group, sample.labels["service"], sample.labels["operation"])
                    into[key] += sample.value


class Meter:
    """Snapshots of one running stack, and what it spends when nothing is asked of it."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.urls = metrics_urls(stack)
        self.idle_cpu: dict[str, float] = {}
        """CPU seconds per second by group, idle."""
        self.idle_dynamodb = counts()
        """DynamoDB requests per second, idle."""
        self.scrape_dynamodb = counts()
        """The requests one snapshot makes itself (each web's outbox-lag gauge)."""
        self.watched: dict[str, int] = {}
        """Processes outside the stack (an anchor's server) whose CPU is sampled too, by pid."""

    def snapshot(self) -> Snapshot:
        made = counts()
        for group, url in self.urls.items():
            dynamodb_counts(group, url, made)
        cpu = cpu_by_group(self.stack.processes)
        cpu |= {name: tree_cpu_seconds(pid) for name, pid in self.watched.items()}
        return Snapshot(time.monotonic(), cpu, made)

    def calibrate(self, seconds: float = 5.0, windows: int = 4) -> None:
        """Two snapshots back to back (what a scrape costs), then `windows` quiet windows of
        `seconds` each. A group's idle rate is its mean over the windows but its busiest: one
        window can catch the tail of earlier work (a single window of 10 s once charged the
        billing web 15 CPU-ms a second as "idle" and took that off every unit), while the
        kernel's 10 ms CPU tick makes any one short window read 0 or a tick for a group that
        idles at a few ms a second, so the quietest alone would read too low."""
        first = self.snapshot()
        second = self.snapshot()
        self.scrape_dynamodb = counts(
            {k: v - first.dynamodb[k] for k, v in second.dynamodb.items()}
        )
        marks = [second]
        for _ in range(windows):
            time.sleep(seconds)
            marks.append(self.snapshot())
        spans = list(pairwise(marks))
        groups = marks[-1].cpu
        self.idle_cpu = {
            group: _trimmed_rate(
                [(a.at, a.cpu.get(group, 0.0), b.at, b.cpu[group]) for a, b in spans]
            )
            for group in groups
        }
        self.idle_dynamodb = counts(
            {
                key: _trimmed_rate(
                    [
                        (a.at, a.dynamodb[key] + self.scrape_dynamodb[key], b.at, b.dynamodb[key])
                        for a, b in spans
                    ]
                )
                for key in marks[-1].dynamodb
            }
        )

    def measure_unit(
        self,
        name: str,
        n: int,
        run_one: Callable[[int], object],
        settle: Callable[[], None] = lambda: None,
    ) -> UnitCost:
        """Run `run_one(i)` for i in range(n), one after the other, then `settle()` (wait for
        the asynchronous work to finish); the cost per run and the runs' latency."""
        before = self.snapshot()
        latencies = []
        for i in range(n):
            started = time.perf_counter()
            run_one(i)
            latencies.append((time.perf_counter() - started) * 1000)
        settle()
        after = self.snapshot()
        return self._per_unit(name, n, before, after, latencies)

    def measure_batch(self, name: str, run: Callable[[], Batch]) -> UnitCost:
        """Run `run()` once, which does many units under its own load generator and says how
        many and how fast; the cost per unit."""
        before = self.snapshot()
        done = run()
        after = self.snapshot()
        cost = self._per_unit(name, done.units, before, after, [done.p50_ms, done.p99_ms])
        return replace(cost, p50_ms=done.p50_ms, p99_ms=done.p99_ms)

    def _per_unit(
        self, name: str, n: int, before: Snapshot, after: Snapshot, latencies: list[float]
    ) -> UnitCost:
        elapsed = after.at - before.at
        cpu_ms = {
            group: round(
                max(
                    0.0,
                    seconds - before.cpu.get(group, 0.0) - self.idle_cpu.get(group, 0.0) * elapsed,
                )
                * 1000
                / n,
                2,
            )
            for group, seconds in sorted(after.cpu.items())
        }
        spent = counts()
        for key, count in after.dynamodb.items():
            idle = self.scrape_dynamodb[key] + self.idle_dynamodb[key] * elapsed
            spent[key] = (count - before.dynamodb[key] - idle) / n
        dynamodb: dict[str, dict[str, float]] = {}
        by_process: defaultdict[str, float] = defaultdict(float)
        for (group, service, operation), per_unit in sorted(spent.items()):
            ops = dynamodb.setdefault(service, {})
            ops[operation] = ops.get(operation, 0.0) + per_unit
            by_process[group] += per_unit
        dynamodb = {
            service: {op: round(v, 2) for op, v in ops.items() if round(v, 2) > 0}
            for service, ops in dynamodb.items()
        }
        return UnitCost(
            unit=name,
            n=n,
            cpu_ms=cpu_ms,
            cpu_ms_ours=round(sum(v for g, v in cpu_ms.items() if g not in NOT_OURS), 2),
            cpu_ms_emulator=cpu_ms.get("emulator", 0.0),
            dynamodb={service: ops for service, ops in dynamodb.items() if ops},
            dynamodb_by_process={g: round(v, 2) for g, v in by_process.items() if round(v, 2) > 0},
            dynamodb_requests=round(sum(sum(ops.values()) for ops in dynamodb.values()), 2),
            p50_ms=round(percentile(latencies, 0.5), 1),
            p99_ms=round(percentile(latencies, 0.99), 1),
        )


def _trimmed_rate(spans: list[tuple[float, float, float, float]]) -> float:
    """The rate over (start time, start value, end time, end value) spans, the busiest left
    out when there are more than two."""
    if len(spans) > 2:
        spans = sorted(spans, key=lambda s: (s[3] - s[1]) / max(s[2] - s[0], 1e-9))[:-1]
    took = sum(end - start for start, _, end, _ in spans)
    return sum(last - first for _, first, _, last in spans) / max(took, 1e-9)
