"""`python -m devstack` (make run): start the local stack, show its URLs, stop it on Ctrl-C."""

from __future__ import annotations

import signal
import sys
import threading
from types import FrameType

from devstack.spec import DevstackError
from devstack.stack import Stack, StackSettings, start_stack

WATCH_SECONDS = 1.0


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
        ("Redis", f"{urls['redis']}  ({started[stack.started_redis]})"),
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


def serve(stack: Stack, stop: threading.Event) -> None:
    """Wait for `stop`, reporting once any process that exits on its own."""
    processes = stack.processes
    reported: set[str] = set()
    while not stop.wait(WATCH_SECONDS):
        for name, code in processes.exited().items():
            if name not in reported:
                reported.add(name)
                print(
                    f"devstack: {name} exited with code {code}; see {processes.log_path(name)}"
                    f"\n{processes.log_tail(name, 20)}",
                    file=sys.stderr,
                    flush=True,
                )


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main() -> int:
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _interrupt)  # while starting: unwind, stopping what started
    settings = StackSettings.from_env()
    print(f"devstack: starting; logs in {settings.run_dir / 'logs'}/", flush=True)
    try:
        stack = start_stack(settings)
    except DevstackError as error:
        print(f"devstack: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("devstack: interrupted; stopped what had started", file=sys.stderr)
        return 130
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    with stack:
        print(describe(stack), flush=True)
        serve(stack, stop)
        print("devstack: stopping", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
