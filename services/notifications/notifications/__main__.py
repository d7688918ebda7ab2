"""Notifications' operator command: the common ones (dead letters, replay, sweep) and mail.

python -m notifications deadletters | replay EVENT_ID… [--all] | sweep
python -m notifications send-due [--as-of ISO]      send mail due by then (reminders included)
python -m notifications send-digests [--as-of ISO]  send the digests due by then
"""

from __future__ import annotations

import argparse
import json
import sys

from notifications import bootstrap
from notifications.commands import SendDueDigests, SendDueMail
from shared.clock import parse_iso
from shared.config import Settings
from shared.ops import Command, main
from shared.runtime import Runtime


def _as_of(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as-of", type=parse_iso, default=None, help="ISO-8601 time (default now)")


def _send_due(args: argparse.Namespace, settings: Settings) -> int:
    sent = bootstrap.build(Runtime(settings)).send_due_mail(SendDueMail(args.as_of))
    print(json.dumps({"sent": sent}))
    return 0


def _send_digests(args: argparse.Namespace, settings: Settings) -> int:
    sent = bootstrap.build(Runtime(settings)).send_due_digests(SendDueDigests(args.as_of))
    print(json.dumps({"sent": sent}))
    return 0


COMMANDS = {
    "send-due": Command("send the mail due by --as-of (default now)", _send_due, _as_of),
    "send-digests": Command("send the digests due by --as-of (default now)", _send_digests, _as_of),
}

if __name__ == "__main__":
    sys.exit(main(service="notifications", extra=COMMANDS))
