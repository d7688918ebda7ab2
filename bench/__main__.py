"""`python -m bench`: start a private stack, measure, write bench/results/."""

from __future__ import annotations

import argparse
import json
import platform
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.floor import moto_floor
from bench.webhooks import Shop, measure
from bench.wrk import run_wrk
from devstack import commands
from devstack.probes import free_port
from devstack.stack import StackSettings, start_stack

RESULTS = Path(__file__).parent / "results"
BENCH_ENV = {"RATE_LIMIT_ENABLED": "false"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=50.0, help="webhooks per second")
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
        latency = measure(shop, args.rate, args.seconds)
        print("webhook -> enrollment:", asdict(latency), flush=True)
        http = {
            name: asdict(run_wrk(url, args.connections, args.http_seconds))
            for name, url in (
                ("hello_bare_flask", f"http://127.0.0.1:{hello_port}/"),
                ("courses_via_gateway", f"{urls['gateway']}/courses"),
                ("courses_direct_catalog", f"{urls['catalog']}/courses"),
            )
        }
        for name, figures in http.items():
            print(f"{name}:", figures, flush=True)
        floor = moto_floor(stack.env)
        print("moto floor:", floor, flush=True)
    write_results(
        {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version()},
            "webhook_to_enrollment": asdict(latency),
            "http": http,
            "moto_floor": floor,
        }
    )


def write_results(results: dict[str, Any]) -> None:
    RESULTS.mkdir(exist_ok=True)
    stamp = results["at"].replace(":", "").replace("-", "")[:15]
    text = json.dumps(results, indent=2) + "\n"
    (RESULTS / f"bench-{stamp}.json").write_text(text)
    (RESULTS / "latest.json").write_text(text)
    print(f"written to {RESULTS}/latest.json")


if __name__ == "__main__":
    main()
