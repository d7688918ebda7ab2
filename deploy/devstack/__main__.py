"""`python -m devstack` (make run): start the local stack, show its URLs, keep it running (a
process that exits is restarted), stop it on Ctrl-C or SIGTERM."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

from devstack.liveness import LivenessWatch
from devstack.processes import StopRequest
from devstack.proctree import die_with_parent
from devstack.spec import DevstackError, StopRequested
from devstack.stack import Stack, StackSettings, start_stack
from devstack.supervise import Supervisor

WATCH_SECONDS = 0.2


def describe(stack: Stack) -> str:
    """The table of URLs printed once everything is up."""
    urls = stack.urls
    started = {True: "started here", False: "already running, reused"}
    rows = [
        ("gateway", urls["gateway"]),
        ("identity provider", f"{urls['idp']}  (dev tokens: POST {urls['idp']}/dev/token)"),
        (
            "Cashfree checkout",
            f"{urls['checkout']}/<paymentSessionId>  (API {urls['standins']}/pg)",
        ),
        ("mail catcher", urls["mail"]),
        ("moto (DynamoDB, S3)", f"{urls['moto']}  ({started[stack.started_moto]})"),
        ("Redis (broker)", f"{urls['redis']}  ({started[stack.started_redis]})"),
        ("Redis (cache)", f"{urls['cache-redis']}  ({started[stack.started_cache_redis]})"),
        *((name, urls[name]) for name in stack.settings.ports if name != "gateway"),
        *(
            (f"{name} metrics", urls[f"{name}-metrics"])
            for name in stack.settings.started_metrics_ports()
        ),
        ("logs", str(stack.processes.log_dir)),
    ]
    width = max(len(name) for name, _ in rows)
    lines = [f"  {name.ljust(width)}  {url}" for name, url in rows]
    return "\n".join(["ProLearn local stack is up (Ctrl-C to stop):", *lines])


def serve(stack: Stack, supervisor: Supervisor) -> None:
    """Until Ctrl-C or SIGTERM, restart what exits on its own, and kill (to restart) a worker
    that stopped consuming."""
    processes = stack.processes
    workers = [name for name in stack.settings.started_metrics_ports() if name.endswith("-worker")]
    live_urls = {
        name: stack.urls[f"{name}-metrics"].replace("/metrics", "/live") for name in workers
    }
    stopped = threading.Event()
    watch = LivenessWatch(processes, live_urls)
    threading.Thread(target=watch.run_until, args=(stopped,), daemon=True).start()
    try:
        while not processes.stop_request.stop:
            supervisor.poll(time.monotonic())
            time.sleep(WATCH_SECONDS)
    finally:
        stopped.set()


def main() -> int:
    stop_request = StopRequest()
    signal.signal(signal.SIGINT, stop_request)
    signal.signal(signal.SIGTERM, stop_request)
    die_with_parent(signal.SIGTERM, os.getppid())  # `make` killed: stop as on Ctrl-C
    settings = StackSettings.from_env()
    print(f"devstack: starting; logs in {settings.run_dir / 'logs'}/", flush=True)
    try:
        stack = start_stack(settings, stop_request=stop_request)
    except StopRequested:
        print("devstack: interrupted; stopped what had started", file=sys.stderr)
        return 130
    except DevstackError as error:
        print(f"devstack: {error}", file=sys.stderr)
        return 1
    with stack:
        print(describe(stack), flush=True)
        serve(stack, Supervisor(stack.processes))
        print("devstack: stopping (Ctrl-C again: kill what is left now)", flush=True)
    print("devstack: stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
