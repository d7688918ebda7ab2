"""The figures of a chaos run: a JSON document for chaos/results, and a short table."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.webhooks import percentile
from chaos.audit import Check, Expectation, Verdict, duplicated, forged_accepted, lost, surplus
from chaos.faults import FaultRecord
from chaos.load import OrderRun
from chaos.observe import Snapshot
from shared.clock import parse_iso

MISSES_SHOWN = 20
"""Misses listed per check in the report (each check also says how many there were)."""


def figures(expect: Expectation, verdict: Verdict, runs: Sequence[OrderRun]) -> dict[str, Any]:
    """Counts, convergence and latencies from the audit's last observation."""
    snap = verdict.snapshot
    return {
        "orders": len(runs),
        "created": len(expect.paid) + len(expect.unpaid),
        "paid": len(expect.paid),
        "forged": sum(1 for run in runs if run.planned.forgery),
        "lost": len(lost(expect, snap)) if snap else None,
        "duplicated": len(duplicated(expect, snap)) if snap else None,
        "forged_accepted": len(forged_accepted(expect, snap)) if snap else None,
        "counted_twice": surplus(expect, snap) if snap else None,
        **(_latencies(expect, snap) if snap else {}),
        "answers": _answers(runs),
    }


def _latencies(expect: Expectation, snap: Snapshot) -> dict[str, float | None]:
    """Milliseconds from the payment at the stand-in to the receipt the mail catcher accepted,
    and to the enrollment record's own timestamp, over the paid orders that have one."""
    receipts, enrollments = [], []
    for bought in expect.paid:
        paid_at = bought.run.paid_at
        if paid_at is None:
            continue
        if mails := snap.receipts.get(bought.order_id):
            receipts.append((min(m.created_at for m in mails) - paid_at) * 1000)
        if record := snap.enrollments.get(bought.key):
            enrolled_at = parse_iso(record["enrolledAt"]).timestamp()
            enrollments.append((enrolled_at - paid_at) * 1000)
    return {
        "receipt_p50_ms": _at(receipts, 0.5),
        "receipt_p99_ms": _at(receipts, 0.99),
        "enrollment_p50_ms": _at(enrollments, 0.5),
        "enrollment_p99_ms": _at(enrollments, 0.99),
    }


def _at(values: list[float], share: float) -> float | None:
    return round(percentile(values, share), 1) if values else None


def _answers(runs: Sequence[OrderRun]) -> dict[str, dict[str, int]]:
    """What each kind of webhook sent was answered (`none`: no answer), with counts."""
    counted: dict[str, Counter[str]] = {}
    for run in runs:
        for what, status in run.answers:
            counted.setdefault(what, Counter())[str(status).lower()] += 1
    return {what: dict(sorted(counts.items())) for what, counts in sorted(counted.items())}


def checks_json(checks: Sequence[Check]) -> dict[str, dict[str, Any]]:
    return {
        check.name: {
            "passed": check.passed,
            "miss_count": len(check.misses),
            "misses": list(check.misses[:MISSES_SHOWN]),
        }
        for check in checks
    }


def faults_json(faults: Sequence[FaultRecord]) -> list[dict[str, Any]]:
    return [asdict(fault) for fault in faults]


def write(report: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")


def table(report: dict[str, Any]) -> str:
    """The headline figures, each check, and every miss shown."""
    headline = (
        "orders",
        "paid",
        "forged",
        "lost",
        "duplicated",
        "forged_accepted",
        "convergence_s",
        "receipt_p50_ms",
        "receipt_p99_ms",
        "enrollment_p50_ms",
        "enrollment_p99_ms",
        "redis_aof",
    )
    lines = [f"{name:<22}{report.get(name)}" for name in headline]
    lines.append("faults:")
    lines += [
        f"  {f['at_s']:>7.2f}s {f['kind']:<16}{f['target']:<22}"
        f"{'back after ' + str(f['back_after_s']) + 's' if f['back_after_s'] else ''}"
        f"{'  ERROR ' + f['error'] if f['error'] else ''}"
        for f in report["faults"]
    ]
    lines.append("audit, after the last fault (when the failing checks change):")
    lines += [f"  {line}" for line in _changes(report["audit_timeline"])]
    lines.append("checks:")
    for name, check in report["checks"].items():
        lines.append(f"  {'pass' if check['passed'] else 'FAIL'}  {name} ({check['miss_count']})")
        lines += [f"        {miss}" for miss in check["misses"]]
    lines.append(f"{'PASSED' if report['passed'] else 'FAILED'}  logs: {report['logs']}")
    return "\n".join(lines)


def _changes(timeline: list[dict[str, Any]]) -> list[str]:
    """The first and last observation, and each whose failing checks differ from the one
    before's: `+12.3s (read 1.2s) paid_enrolled_once 4 | backlog enrollment.events 3`."""
    shown = [
        entry
        for i, entry in enumerate(timeline)
        if i in (0, len(timeline) - 1)
        or entry["failing"].keys() != timeline[i - 1]["failing"].keys()
    ]
    return [
        f"{e['after_last_fault_s']:+}s (read {e['read_s']}s) "
        f"{', '.join(f'{name} {n}' for name, n in e['failing'].items()) or 'all pass'}"
        f" | backlog {', '.join(f'{what} {n}' for what, n in e['backlog'].items()) or 'none'}"
        for e in shown
    ]
