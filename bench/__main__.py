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

from bench.background import steady_gets
from bench.booking import booking_contention
from bench.chatload import ensure_node_modules, prolearn_chat, socketio_reference
from bench.chatrooms import seed_rooms
from bench.costrun import measure_costs, table
from bench.credentials import use_stack_credentials
from bench.durability import broker_durability
from bench.floor import moto_floor
from bench.webhooks import Shop, measure
from bench.wrk import run_wrk
from devstack import commands
from devstack.probes import free_port
from devstack.stack import Stack, StackSettings, start_stack
from shared.events.subscriptions import queue_name

RESULTS = Path(__file__).parent / "results"
BENCH_ENV = {"RATE_LIMIT_ENABLED": "false"}
P99_LIMIT_MS = 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--rates",
        default="10,12,14,16,18,20,25,30,40,50",
        help="webhooks per second, one steady run per value, ascending; the runs stop after the"
        " first whose p99 is over a second",
    )
    parser.add_argument(
        "--listing-rate",
        type=float,
        default=50,
        help="cached-listing GETs per second through the gateway while the webhooks flow",
    )
    parser.add_argument("--seconds", type=int, default=60, help="how long the webhook load lasts")
    parser.add_argument(
        "--durability-rate", type=float, default=10, help="webhooks/s, fsync everysec vs always"
    )
    parser.add_argument("--http-seconds", type=int, default=20, help="each wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--chat-rate", type=int, default=2500, help="chat sends per second")
    parser.add_argument(
        "--chat-stored-rate", type=int, default=1000, help="also the stored path at this rate"
    )
    parser.add_argument("--chat-seconds", type=int, default=20)
    parser.add_argument("--chat-rooms", type=int, default=500, help="two sockets per room")
    parser.add_argument(
        "--only",
        choices=("cost",),
        help="run one section alone (its figures replace that key of latest.json)",
    )
    args = parser.parse_args()

    settings = StackSettings.isolated(Path(".run/bench"), extra_env=BENCH_ENV)
    with start_stack(settings) as stack:
        use_stack_credentials(stack.env)
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
        if args.only == "cost":
            costs = measure_costs(stack, shop, f"http://127.0.0.1:{hello_port}/")
            print(table(costs), flush=True)
            previous = RESULTS / "latest.json"
            earlier = json.loads(previous.read_text()) if previous.exists() else {}
            # the other sections stay as the last full run wrote them
            write_results({**earlier, "at": now(), "cost": costs, "only": "cost"})
            return
        floor = moto_floor(stack.env)  # before any load: the emulator holds just these courses
        print("moto floor:", floor, flush=True)
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
        costs = measure_costs(stack, shop, f"http://127.0.0.1:{hello_port}/")
        print(table(costs), flush=True)
        chat = measure_chat_broadcast(
            stack, shop, args.chat_rate, args.chat_seconds, args.chat_rooms
        )
        listing_url = f"{urls['gateway']}/courses"
        latency = webhook_sweep(shop, stack.env["REDIS_URL"], args, listing_url)
        with steady_gets(listing_url, args.listing_rate):
            durability = broker_durability(
                shop,
                stack.env["REDIS_URL"],
                args.durability_rate,
                args.seconds,
                wait_for_empty_queues,
            )
        # last: the stored runs leave ~70,000 messages in the emulator, which slows what follows
        chat |= measure_chat_stored(
            stack, shop, (args.chat_rate, args.chat_stored_rate), args.chat_seconds, args.chat_rooms
        )
    write_results(
        {
            "at": now(),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
            "webhook_to_enrollment": latency["runs"],
            "webhook_highest_rate_p99_under_1s": latency["highest_rate_p99_under_1s"],
            "broker_durability": durability,
            "http": http,
            "booking_contention": booking,
            "chat": chat,
            "moto_floor": floor,
            "cost": costs,
        }
    )


def webhook_sweep(
    shop: Shop, redis_url: str, args: argparse.Namespace, listing_url: str
) -> dict[str, Any]:
    """Webhook → enrollment at each rate, ascending, with `--listing-rate` cached-listing GETs
    a second alongside; stops after the first run whose p99 is over a second."""
    runs: list[dict[str, Any]] = []
    highest = None
    for rate in sorted(float(r) for r in args.rates.split(",")):
        with steady_gets(listing_url, args.listing_rate) as listing:
            figures = asdict(measure(shop, rate, args.seconds))
        figures["listing_alongside"] = listing.figures()
        runs.append(figures)
        print("webhook -> enrollment:", figures, flush=True)
        wait_for_empty_queues(redis_url)
        if figures["p99_ms"] > P99_LIMIT_MS:
            break
        highest = rate
    return {"runs": runs, "highest_rate_p99_under_1s": highest}


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def measure_chat_broadcast(
    stack: Stack, shop: Shop, rate: int, seconds: int, rooms: int
) -> dict[str, Any]:
    """The room broadcast alone (nothing stored) and socket.io doing the same broadcast, on a
    quiet stack, one after the other."""
    ensure_node_modules()
    figures = {"prolearn_broadcast_only": _chat_run(stack, shop, "false", rate, seconds, rooms)}
    figures["socketio_reference"] = socketio_reference(rate, seconds, rooms * 2, rooms)
    print("chat socket.io reference:", figures["socketio_reference"], flush=True)
    return figures


def measure_chat_stored(
    stack: Stack, shop: Shop, rates: tuple[int, int], seconds: int, rooms: int
) -> dict[str, Any]:
    """The full path (every message stored before it is broadcast), at the broadcast's rate and
    at one the emulator can sustain."""
    rate, stored_rate = rates
    figures = {
        "prolearn_stored": _chat_run(stack, shop, "true", rate, seconds, rooms),
        f"prolearn_stored_at_{stored_rate}": _chat_run(
            stack, shop, "true", stored_rate, seconds, rooms
        ),
    }
    stack.processes.restart("chat", env={})
    return figures


def _chat_run(
    stack: Stack, shop: Shop, persist: str, rate: int, seconds: int, rooms: int
) -> dict[str, Any]:
    stack.processes.restart("chat", env={"CHAT_PERSIST": persist})
    plan = seed_rooms(stack.env, shop, stack.urls["chat"], rooms)
    figures = prolearn_chat(plan, rate, seconds)
    print(f"chat persist={persist} at {rate}/s:", figures, flush=True)
    return figures


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
