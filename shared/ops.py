"""Operator command for any service: list and replay dead letters, sweep the outbox once.

python -m shared.ops billing deadletters
python -m shared.ops billing replay EVENT_ID   (or --all)
python -m shared.ops billing sweep
"""

from __future__ import annotations

import argparse
import json
import sys

from shared.config import load_settings
from shared.messaging.deadletters import DeadLetterStore
from shared.messaging.relay import sweep
from shared.runtime import Runtime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.ops", description=__doc__)
    parser.add_argument("service")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("deadletters", help="list dead letters, newest first")
    replay = commands.add_parser("replay", help="send dead letters back to the service's queue")
    replay.add_argument("event_ids", nargs="*")
    replay.add_argument("--all", action="store_true")
    commands.add_parser("sweep", help="dispatch pending outbox items now")
    args = parser.parse_args(argv)

    runtime = Runtime(load_settings(args.service))
    store = DeadLetterStore(runtime.dynamodb, runtime.table)
    if args.command == "deadletters":
        for letter in store.list():
            print(json.dumps(letter.__dict__))
        return 0
    if args.command == "sweep":
        print(sweep(runtime.dispatcher, runtime.publisher, grace_seconds=0))
        return 0
    ids = [letter.event_id for letter in store.list()] if args.all else args.event_ids
    missing = [i for i in ids if not store.replay(args.service, runtime.publisher, i)]
    print(json.dumps({"replayed": len(ids) - len(missing), "missing": missing}))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
