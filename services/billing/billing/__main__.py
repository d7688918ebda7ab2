"""Billing's operator command: the common ones (dead letters, replay, sweep) and reconciliation.

python -m billing deadletters | replay EVENT_ID… [--all] | sweep
python -m billing reconcile ORDER_ID     ask Cashfree about one order (and its refund) now
python -m billing reconcile-due          one reconciler pass, as the relay runs it
python -m billing alerts                 what webhooks and reconciliation could not apply
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from billing import bootstrap, views
from billing.bootstrap import Billing
from billing.commands import ReconcileDue, ReconcileOrder
from billing.errors import OrderNotFound
from shared.config import Settings
from shared.ops import Command, main
from shared.runtime import Runtime


def _billing(settings: Settings) -> Billing:
    return bootstrap.build(Runtime(settings))


def _reconcile(args: argparse.Namespace, settings: Settings) -> int:
    try:
        order = _billing(settings).reconcile_order(ReconcileOrder(args.order_id))
    except OrderNotFound:
        print(json.dumps({"error": "order_not_found", "orderId": args.order_id}))
        return 1
    print(json.dumps(views.transaction(order).wire()))
    return 0


def _reconcile_due(_args: argparse.Namespace, settings: Settings) -> int:
    print(json.dumps(asdict(_billing(settings).reconcile_due(ReconcileDue()))))
    return 0


def _alerts(args: argparse.Namespace, settings: Settings) -> int:
    for alert in _billing(settings).orders.alerts(limit=args.limit):
        print(json.dumps({k: v for k, v in alert.items() if not k.startswith(("PK", "SK", "GSI"))}))
    return 0


COMMANDS = {
    "reconcile": Command(
        "ask Cashfree about one order and its refund, and apply what it says",
        _reconcile,
        lambda parser: parser.add_argument("order_id"),
    ),
    "reconcile-due": Command("run one reconciler pass now", _reconcile_due),
    "alerts": Command(
        "list operator alerts, newest first",
        _alerts,
        lambda parser: parser.add_argument("--limit", type=int, default=50),
    ),
}

if __name__ == "__main__":
    sys.exit(main(service="billing", extra=COMMANDS))
