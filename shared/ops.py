"""Operator command for any service: list and replay dead letters, sweep the outbox once.

python -m shared.ops billing deadletters
python -m shared.ops billing replay EVENT_ID   (or --all)
python -m shared.ops billing sweep

A service adds its own commands by calling `main` with `service` and `extra` (see billing).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from shared.config import Settings, load_settings
from shared.messaging.deadletters import DeadLetterStore
from shared.messaging.relay import sweep
from shared.runtime import Runtime


@dataclass(frozen=True)
class Command:
    """A service's own operator command: its help, its arguments and what it does."""

    help: str
    run: Callable[[argparse.Namespace, Settings], int]
    arguments: Callable[[argparse.ArgumentParser], object] = field(default=lambda _parser: None)


def main(
    argv: list[str] | None = None,
    service: str | None = None,
    extra: Mapping[str, Command] | None = None,
) -> int:
    parser = argparse.ArgumentParser(
        prog=f"python -m {service}" if service else "python -m shared.ops", description=__doc__
    )
    if service is None:
        parser.add_argument("service")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("deadletters", help="list dead letters, newest first")
    replay = commands.add_parser("replay", help="send dead letters back to the service's queue")
    replay.add_argument("event_ids", nargs="*")
    replay.add_argument("--all", action="store_true")
    commands.add_parser("sweep", help="dispatch pending outbox items now")
    for name, command in (extra or {}).items():
        command.arguments(commands.add_parser(name, help=command.help))
    args = parser.parse_args(argv)
    service = service or args.service
    settings = load_settings(service)
    if extra and args.command in extra:
        return extra[args.command].run(args, settings)

    runtime = Runtime(settings)
    store = DeadLetterStore(runtime.dynamodb, runtime.table)
    if args.command == "deadletters":
        for letter in store.list():
            print(json.dumps(letter.__dict__))
        return 0
    if args.command == "sweep":
        print(sweep(runtime.dispatcher, runtime.publisher, grace_seconds=0))
        return 0
    ids = [letter.event_id for letter in store.list()] if args.all else args.event_ids
    missing = [i for i in ids if not store.replay(service, runtime.publisher, i)]
    print(json.dumps({"replayed": len(ids) - len(missing), "missing": missing}))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
