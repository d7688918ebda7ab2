"""`python -m bench.chatrun`: chat alone on a private stack (chat's processes, Redis, the emulator,
the stand-ins), a list of runs in one go, and socket.io in the same run; latency, a per-second
timeline and CPU-ms per message by process group."""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import psutil
import redis
import requests

from bench.chatload import ensure_node_modules, prolearn_chat, socketio_load, socketio_server
from bench.chatrooms import seed_rooms
from bench.cpu import cpu_by_group, tree_cpu_seconds
from bench.credentials import use_stack_credentials
from bench.webhooks import Shop
from devstack.stack import Stack, StackSettings, start_stack
from shared.config import load_settings
from shared.dynamo.client import dynamodb_client

STAGE_BUCKET = re.compile(
    r'^prolearn_chat_stage_seconds_bucket\{le="([^"]+)",stage="([^"]+)"\} ([0-9.e+]+)$'
)
SUMMARY = ("latency_p50_ms", "latency_p99_ms", "latency_max_ms", "achieved_sends_per_second")
SUMMARY_MORE = ("missing", "errors", "error_codes", "loadgen_cpu_percent")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs",
        default="socketio:2500,broadcast:2500,stored:500",
        help="comma-separated kind:rate, kind one of socketio, broadcast, stored; broadcast-before"
        " and stored-before run chat's code from --before instead",
    )
    parser.add_argument("--before", help="a directory holding another copy of the chat package")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--rooms", type=int, default=500, help="two sockets per room")
    parser.add_argument("--chat-env", action="append", default=[], help="KEY=VALUE for chat")
    parser.add_argument("--out", type=Path, help="also write the figures here as JSON")
    args = parser.parse_args()
    extra = dict(pair.split("=", 1) for pair in args.chat_env)
    settings = StackSettings.isolated(
        Path(".run/chatrun"), extra_env={"RATE_LIMIT_ENABLED": "false"}
    )
    ensure_node_modules()
    results: list[dict[str, Any]] = []
    with start_stack(settings, only_web=("chat",)) as stack:
        use_stack_credentials(stack.env)
        shop = Shop("", settings.standins_url, "", stack.env["CASHFREE_CLIENT_SECRET"])
        for run in args.runs.split(","):
            kind, rate = run.split(":")
            env = dict(extra)
            if kind.endswith("-before"):
                env["PYTHONPATH"] = args.before
            figures = one_run(stack, shop, kind, int(rate), args.seconds, args.rooms, env)
            results.append(figures)
            print(json.dumps(figures), flush=True)
    print(summary(results))
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n")


def one_run(
    stack: Stack,
    shop: Shop,
    kind: str,
    rate: int,
    seconds: int,
    rooms: int,
    extra: Mapping[str, str],
) -> dict[str, Any]:
    if kind == "socketio":
        with socketio_server() as (server, url):
            return _measured(
                kind,
                rate,
                lambda: {"socketio": tree_cpu_seconds(server.pid), **cpu_by_group(stack.processes)},
                lambda: socketio_load(url, rate, seconds, rooms * 2, rooms),
            )
    persist = {"broadcast": "false", "stored": "true"}[kind.removesuffix("-before")]
    stack.processes.restart("chat", env={**extra, "CHAT_PERSIST": persist})
    plan = seed_rooms(stack.env, shop, stack.urls["chat"], rooms)
    with Probes(stack.env) as probes:
        figures = _measured(
            kind,
            rate,
            lambda: cpu_by_group(stack.processes),
            lambda: prolearn_chat(plan, rate, seconds),
        )
    metrics = requests.get(f"{stack.urls['chat']}/metrics", timeout=10).text
    return {**figures, "stages": stage_quantiles(metrics), "probes_max_ms": probes.timeline()}


class Probes:
    """A GetItem to the emulator and a PING to Redis every 100 ms from this process, each
    second's slowest kept: a stall that shows here too is not chat's own."""

    def __init__(self, env: Mapping[str, str]) -> None:
        settings = load_settings("chat", env)
        self._dynamodb = dynamodb_client(settings.aws, quick=True, service="bench")
        self._table = settings.table_name()
        self._redis = redis.Redis.from_url(env["REDIS_URL"])
        self._slowest: dict[int, tuple[float, float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Probes:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        started = time.monotonic()
        while not self._stop.wait(0.1):
            t0 = time.monotonic()
            self._dynamodb.get_item(TableName=self._table, Key={"PK": {"S": "x"}, "SK": {"S": "x"}})
            t1 = time.monotonic()
            self._redis.ping()
            t2 = time.monotonic()
            second = int(t0 - started)
            emulator, broker = self._slowest.get(second, (0.0, 0.0))
            self._slowest[second] = (max(emulator, t1 - t0), max(broker, t2 - t1))

    def timeline(self) -> dict[str, list[float]]:
        seconds = sorted(self._slowest)
        return {
            "emulator": [round(self._slowest[s][0] * 1000) for s in seconds],
            "redis": [round(self._slowest[s][1] * 1000) for s in seconds],
        }


def _measured(
    kind: str,
    rate: int,
    cpu: Callable[[], dict[str, float]],
    load: Callable[[], dict[str, Any]],
) -> dict[str, Any]:
    """The load's figures and the CPU each group spent during it, in ms per message sent
    (connecting included, as in the cost harness); the machine's load average beside them."""
    before = cpu()
    figures = load()
    after = cpu()
    sent = max(1, figures["sent"])
    figures["cpu_ms_per_message"] = {
        group: round((after[group] - before.get(group, 0.0)) * 1000 / sent, 3)
        for group in after
        if after[group] - before.get(group, 0.0) > 0.005
    }
    figures["load_average"] = [round(x, 1) for x in psutil.getloadavg()]
    return {"kind": kind, "rate": rate, **figures}


def stage_quantiles(metrics: str) -> dict[str, dict[str, float | None]]:
    """From chat's `prolearn_chat_stage_seconds` histogram: each stage's count and the bucket
    bounds (ms) that hold its median and its 99th percentile."""
    buckets: dict[str, list[tuple[float, float]]] = {}
    for line in metrics.splitlines():
        found = STAGE_BUCKET.match(line)
        if found:
            le, stage, count = found.groups()
            buckets.setdefault(stage, []).append((float(le), float(count)))
    quantiles: dict[str, dict[str, float | None]] = {}
    for stage, pairs in buckets.items():
        pairs.sort()
        total = pairs[-1][1]

        def bound(
            q: float, pairs: list[tuple[float, float]] = pairs, total: float = total
        ) -> float | None:
            return next((le * 1000 for le, n in pairs if n >= q * total), None)

        quantiles[stage] = {"n": total, "p50_le_ms": bound(0.5), "p99_le_ms": bound(0.99)}
    return quantiles


def summary(results: list[dict[str, Any]]) -> str:
    lines = []
    for r in results:
        head = " ".join(f"{k.removeprefix('latency_')}={r.get(k)}" for k in SUMMARY)
        more = " ".join(f"{k}={r.get(k)}" for k in SUMMARY_MORE)
        lines.append(f"{r['kind']}@{r['rate']}: {head} {more} load={r['load_average']}")
        lines.append(f"    cpu ms/msg: {r['cpu_ms_per_message']}")
        if r.get("stages"):
            lines.append(f"    stages: {r['stages']}")
        if r.get("probes_max_ms"):
            for name, values in r["probes_max_ms"].items():
                lines.append(f"    {name} probe max by second: {' '.join(map(str, values))}")
        lines.append(
            "    p99 by second: " + " ".join(str(s.get("p99_ms")) for s in r.get("timeline", []))
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
