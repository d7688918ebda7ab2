"""The billing operator command against the running stack: reconcile one order, list alerts."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.helpers import Api


def billing_command(stack_env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "billing", *args],
        env=stack_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_reconcile_one_order_and_list_alerts_and_dead_letters(
    api: Api, stack_env: dict[str, str]
) -> None:
    teacher, student = api.onboard("teacher"), api.onboard("student")
    course = api.published_course(teacher)
    order_id = api.create_order(student, course["courseId"])["order_id"]
    api.pay(order_id, deliver=False)

    done = billing_command(stack_env, "reconcile", order_id)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1])["status"] == "SUCCESS"

    missing = billing_command(stack_env, "reconcile", "pl_nobody")
    assert missing.returncode == 1
    assert json.loads(missing.stdout)["error"] == "order_not_found"

    for listing in ("alerts", "deadletters"):
        listed = billing_command(stack_env, listing)
        assert listed.returncode == 0, listed.stderr
        assert all(json.loads(line) for line in listed.stdout.splitlines())
