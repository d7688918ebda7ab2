"""`python -m bench`: start a private stack, measure, write bench/results/."""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import redis

from bench.booking import booking_contention
from bench.floor import moto_floor
from bench.webhooks import Shop, measure
from bench.wrk import run_wrk
from devstack import commands
from devstack.probes import free_port
from devstack.stack import StackSettings, start_stack
from shared.events.subscriptions import queue_name

RESULTS = Path(__file__).parent / "results"
BENCH_ENV = {"RATE_LIMIT_ENABLED": "false"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--rates", default="10,50", help="webhooks per second, one steady run per value"
    )
    parser.add_argument("--seconds", type=int, default=60, help="how long the webhook load lasts")
    parser.add_argument("--http-seconds", type=int, default=20, help="each wrk run")
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()

    settings = StackSettings.isolated(Path(".run/bench"), extra_env=BENCH_ENV)
    with start_stack(settings) as stack:
        hello_port = free_port()
        stack.processes.start(commands.served("hello", "bench.hello:app", hello_port))
        urls = stack.urls
        shop = Shop(
            urls["gateway"],
            urls["standins"],
            urls["enrollment"],
            stack.env["CASHFREE_CLIENT_SECRET"],
        )
        for _ in range(19):
            shop.course()
        listing = (
            ("courses_via_gateway", f"{urls['gateway']}/courses"),
            ("courses_direct_catalog", f"{urls['catalog']}/courses"),
            ("search_via_gateway", f"{urls['gateway']}/courses?q=python+benchmarking"),
        )

        def measure_http(runs: tuple[tuple[str, str], ...], suffix: str = "") -> dict[str, Any]:
            return {
                name + suffix: asdict(run_wrk(url, args.connections, args.http_seconds))
                for name, url in runs
            }

        http = measure_http((("hello_bare_flask", f"http://127.0.0.1:{hello_port}/"),))
        http |= measure_http(listing)
        stack.processes.restart("catalog", env={"CATALOG_CACHE_SECONDS": "0"})
        http |= measure_http(listing, suffix="_cache_off")
        stack.processes.restart("catalog", env={})
        for name, measured in http.items():
            print(f"{name}:", measured, flush=True)
        booking = asdict(booking_contention(shop))
        print("booking contention:", booking, flush=True)
        floor = moto_floor(stack.env)
        print("moto floor:", floor, flush=True)
        latency: list[dict[str, Any]] = []
        for rate in (float(r) for r in args.rates.split(",")):
            latency.append(asdict(measure(shop, rate, args.seconds)))
            print("webhook -> enrollment:", latency[-1], flush=True)
            wait_for_empty_queues(stack.env["REDIS_URL"])
    write_results(
        {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
            "webhook_to_enrollment": latency,
            "http": http,
            "booking_contention": booking,
            "moto_floor": floor,
        }
    )


def wait_for_empty_queues(redis_url: str, timeout: float = 600) -> None:
    """Let every worker drain what the last run queued before the next one starts."""
    client = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sum(client.llen(queue_name(s)) for s in ("catalog", "billing", "enrollment")) == 0:
            return
        time.sleep(1)


def write_results(results: dict[str, Any]) -> None:
    RESULTS.mkdir(exist_ok=True)
    stamp = results["at"].replace(":", "").replace("-", "")[:15]
    text = json.dumps(results, indent=2) + "\n"
    (RESULTS / f"bench-{stamp}.json").write_text(text)
    (RESULTS / "latest.json").write_text(text)
    print(f"written to {RESULTS}/latest.json")


if __name__ == "__main__":
    main()
