"""What the stack holds, read without changing anything: the Cashfree stand-in's orders, the
stored enrollments, ownerships and order states, seat counts, teacher totals, receipts, dead
letters."""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import redis

from bench.webhooks import Shop
from billing.adapters.keys import order_key, ownership_key
from chaos.load import Course, OrderRun
from devstack.commands import consumers
from enrollment.adapters.keys import enrollment_key
from notifications.adapters.keys import MAILS_DUE
from notifications.rendering import SUBJECTS
from shared.clock import parse_iso, utc_now
from shared.config import SERVICE_PORTS, load_settings
from shared.dynamo.client import dynamodb_client
from shared.dynamo.codec import Item, values
from shared.dynamo.reads import get_items, query_all
from shared.events.subscriptions import queue_name
from shared.messaging.deadletters import DeadLetterStore
from shared.messaging.outbox import oldest_pending_at
from shared.messaging.redis_transport import claim_list
from shared.metrics.state import queue_length
from shared.provision import SERVICES_WITH_TABLES

CASHFREE_API_VERSION = "2023-08-01"
RECEIPT_SUBJECT = SUBJECTS["receipt"].partition("{{")[0]
RECEIPT_ORDER = re.compile(r"^Order:\s+(\S+)", re.MULTILINE)
"""The receipt's `Order:` line (notifications/templates/receipt.txt)."""

CONSUMERS = consumers(SERVICE_PORTS)
UNACKED = "unacked"
"""kombu's hash of messages delivered to a worker and not yet acknowledged."""

UserCourse = tuple[str, str]


@dataclass(frozen=True)
class Receipt:
    order_id: str
    to: tuple[str, ...]
    created_at: float
    """Epoch seconds, when the mail catcher accepted it."""


@dataclass(frozen=True)
class Snapshot:
    taken_at: float
    """Monotonic time once every read had answered."""
    enrollments: dict[UserCourse, Item]
    """The enrollment record of each buyer in the course bought (its key admits one)."""
    owners: dict[UserCourse, str]
    """Billing's ownership records: the order through which the student owns the course."""
    order_states: dict[str, str]
    """Billing's stored status of every order the run created."""
    seats: dict[str, int]
    """Catalog's `enrollmentCount` of each course."""
    sales: dict[str, tuple[int, int]]
    """Each course's (orders, amount) in its teacher's sales totals."""
    receipts: dict[str, list[Receipt]]
    """Receipt mail by the order id it names."""
    dead_letters: list[dict[str, Any]]
    backlog: dict[str, float]
    """What is still on its way (only what is not zero): messages queued per queue, taken and
    not yet recorded (`<queue> claimed`), delivered and not acknowledged (`unacked`), the age in
    seconds of each service's oldest outbox item not yet dispatched (`<service> outbox`), mail
    planned and not yet sent by its status (`mail PENDING`, `mail SENDING`: claimed by a
    sender). Misses while it is empty are losses."""


class Observer:
    def __init__(self, shop: Shop, env: Mapping[str, str], courses: Sequence[Course]) -> None:
        self.shop, self.courses = shop, courses
        self.settings = load_settings("billing", env)
        self.dynamodb = dynamodb_client(self.settings.aws)
        self.redis = redis.Redis.from_url(env["REDIS_URL"], socket_timeout=5)
        self.cashfree = {
            "x-api-version": CASHFREE_API_VERSION,
            "x-client-id": env["CASHFREE_CLIENT_ID"],
            "x-client-secret": env["CASHFREE_CLIENT_SECRET"],
        }

    def paid(self, order_ids: Iterable[str]) -> set[str]:
        """The orders the Cashfree stand-in has as PAID: what must be enrolled, the truth."""
        ids = list(order_ids)
        with ThreadPoolExecutor(max_workers=8) as pool:
            states = list(pool.map(self._cashfree_status, ids))
        return {order_id for order_id, state in zip(ids, states, strict=True) if state == "PAID"}

    def snapshot(self, runs: Sequence[OrderRun]) -> Snapshot:
        """Every record read by its key (BatchGetItem): an index query in the emulator reads
        the whole table, under the lock every service waits on."""
        bought = [(run.purchase, run.course.course_id) for run in runs if run.purchase]
        billing = self._by_key(
            "billing",
            [order_key(p.order_id) for p, _ in bought]
            + [ownership_key(p.student_id, course_id) for p, course_id in bought],
        )
        enrollment = self._by_key(
            "enrollment", [enrollment_key(p.student_id, course_id) for p, course_id in bought]
        )
        with ThreadPoolExecutor(max_workers=4) as pool:
            seats = dict(pool.map(self._seats, self.courses))
        sales, receipts, dead_letters = self._sales(), self._receipts(), self._dead_letters()
        backlog = self._backlog()

        return Snapshot(
            taken_at=time.monotonic(),
            enrollments={
                (p.student_id, course_id): record
                for p, course_id in bought
                if (record := enrollment.get(_pair(enrollment_key(p.student_id, course_id))))
            },
            owners={
                (p.student_id, course_id): str(owner["orderId"])
                for p, course_id in bought
                if (owner := billing.get(_pair(ownership_key(p.student_id, course_id))))
            },
            order_states={
                p.order_id: str(order["status"])
                for p, _ in bought
                if (order := billing.get(_pair(order_key(p.order_id))))
            },
            seats=seats,
            sales=sales,
            receipts=receipts,
            dead_letters=dead_letters,
            backlog=backlog,
        )

    def _by_key(self, service: str, keys: list[dict[str, str]]) -> dict[tuple[str, str], Item]:
        items = get_items(self.dynamodb, self.settings.table_name(service), keys)
        return {(item["PK"], item["SK"]): item for item in items}

    def _cashfree_status(self, order_id: str) -> str:
        answer = self.shop.http.get(
            f"{self.shop.standins}/pg/orders/{order_id}", headers=self.cashfree, timeout=10
        )
        answer.raise_for_status()
        return str(answer.json()["order_status"])

    def _seats(self, course: Course) -> tuple[str, int]:
        answer = self.shop.http.get(f"{self.shop.gateway}/courses/{course.course_id}", timeout=10)
        answer.raise_for_status()
        return course.course_id, int(answer.json()["data"]["enrollmentCount"])

    def _sales(self) -> dict[str, tuple[int, int]]:
        orders: Counter[str] = Counter()
        amounts: Counter[str] = Counter()
        for teacher in {c.teacher.user_id: c.teacher for c in self.courses}.values():
            answer = self.shop.http.get(
                f"{self.shop.gateway}/api/payments/sales/totals", headers=teacher.auth, timeout=10
            )
            answer.raise_for_status()
            for row in answer.json()["data"]:
                orders[row["courseId"]] += int(row["orders"])
                amounts[row["courseId"]] += int(row["amount"])
        return {course_id: (orders[course_id], amounts[course_id]) for course_id in orders}

    def _receipts(self) -> dict[str, list[Receipt]]:
        answer = self.shop.http.get(f"{self.shop.standins}/resend/emails", timeout=30)
        answer.raise_for_status()
        receipts: dict[str, list[Receipt]] = {}
        for mail in answer.json()["data"]:
            named = RECEIPT_ORDER.search(mail.get("text") or "")
            if not mail["subject"].startswith(RECEIPT_SUBJECT) or named is None:
                continue
            receipt = Receipt(
                named.group(1), tuple(mail["to"]), parse_iso(mail["created_at"]).timestamp()
            )
            receipts.setdefault(receipt.order_id, []).append(receipt)
        return receipts

    def _dead_letters(self) -> list[dict[str, Any]]:
        return [
            {
                "service": service,
                "event_type": letter.event_type,
                "event_id": letter.event_id,
                "failed_at": letter.failed_at,
                "attempts": letter.attempts,
                "error": letter.error[:300],
                "data": letter.envelope.get("data"),
            }
            for service in SERVICES_WITH_TABLES
            for letter in DeadLetterStore(self.dynamodb, self.settings.table_name(service)).list()
        ]

    def _backlog(self) -> dict[str, float]:
        open_mail = {
            "TableName": self.settings.table_name("notifications"),
            "IndexName": "GSI2",
            "KeyConditionExpression": "GSI2PK = :pk",
            "ExpressionAttributeValues": values(pk=MAILS_DUE),
            "ProjectionExpression": "#s",
            "ExpressionAttributeNames": {"#s": "status"},
        }
        mail = Counter(item["status"] for item in query_all(self.dynamodb, open_mail))
        found = {
            **{q: float(queue_length(self.redis, q)) for q in map(queue_name, CONSUMERS)},
            **{
                f"{q} claimed": float(self.redis.llen(claim_list(q)))
                for q in map(queue_name, CONSUMERS)
            },
            UNACKED: float(self.redis.hlen(UNACKED)),
            **{f"mail {status}": float(n) for status, n in mail.items()},
            **{f"{s} outbox": self._outbox_age(s) for s in SERVICES_WITH_TABLES},
        }
        return {what: amount for what, amount in found.items() if amount}

    def _outbox_age(self, service: str) -> float:
        oldest = oldest_pending_at(self.dynamodb, self.settings.table_name(service))
        return 0.0 if oldest is None else round((utc_now() - parse_iso(oldest)).total_seconds(), 1)


def _pair(key: dict[str, str]) -> tuple[str, str]:
    return key["PK"], key["SK"]
