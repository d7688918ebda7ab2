"""The small chaos run in a stack of its own (it kills Redis): nothing lost, doubled or forged."""

from __future__ import annotations

from pathlib import Path

import pytest

from chaos.report import table
from chaos.run import SMALL, chaos_settings, run
from devstack.spec import DevstackError
from devstack.stack import start_stack


@pytest.mark.stack
@pytest.mark.timeout(480)  # stack start, 30 s of load, up to 120 s of audit, the settle, stop
def test_small_chaos_run_converges_with_nothing_lost_doubled_or_forged(tmp_path: Path) -> None:
    try:
        stack = start_stack(chaos_settings(tmp_path))
    except DevstackError as error:
        pytest.fail(f"the chaos stack did not start: {error}", pytrace=False)
    with stack:
        report = run(stack, SMALL)
        logs = "" if report["passed"] else stack.processes.tails(30)
    summary = f"{table(report)}\n{logs}"
    assert (report["lost"], report["duplicated"], report["forged_accepted"]) == (0, 0, 0), summary
    assert report["convergence_s"] is not None, summary
    assert report["convergence_s"] <= SMALL.goal_s, summary
    assert report["passed"], summary
