"""Webhook → enrollment latency at a steady rate, through the gateway, on real processes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import statistics
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import requests
from urllib3.util.retry import Retry

from shared.clock import parse_iso

THUMBNAIL = (Path(__file__).parents[1] / "tests" / "fixtures" / "thumbnail.png").read_bytes()


@dataclass(frozen=True)
class Purchase:
    student_id: str
    token: str
    order_id: str
    amount_rupees: str


@dataclass(frozen=True)
class LatencyFigures:
    rate_per_second: float
    seconds: int
    webhooks: int
    enrolled: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    webhook_p99_ms: float


class Shop:
    """Just enough of the frontend and of Cashfree to buy courses in bulk."""

    def __init__(self, gateway: str, standins: str, enrollment: str, secret: str) -> None:
        self.gateway, self.standins, self.enrollment, self.secret = (
            gateway,
            standins,
            enrollment,
            secret,
        )
        self.http = requests.Session()
        retry = Retry(
            total=3, connect=3, read=2, status=0, allowed_methods=None, backoff_factor=0.1
        )
        self.http.mount(
            "http://", requests.adapters.HTTPAdapter(pool_maxsize=64, max_retries=retry)
        )

    def token(self, sub: str, role: str) -> str:
        answer = self.http.post(
            f"{self.standins}/idp/dev/token", json={"sub": sub, "role": role}, timeout=10
        )
        answer.raise_for_status()
        return str(answer.json()["token"])

    def course(self, price: int = 49900, auth: dict[str, str] | None = None) -> str:
        """A published course with a thumbnail, by `auth`'s teacher or a new one."""
        if auth is None:
            teacher = self.token(f"user_t{uuid.uuid4().hex[:12]}", "teacher")
            auth = {"Authorization": f"Bearer {teacher}"}
        course_id = self.http.post(
            f"{self.gateway}/courses", headers=auth, json={}, timeout=10
        ).json()["data"]["courseId"]
        outline = [{"sectionTitle": "One", "chapters": [{"type": "Text", "title": "Only"}]}]
        form = {
            "title": "Benchmarking Python services",
            "description": "Load, latency and the queues in between.",
            "category": "Programming",
            "price": str(price),
            "status": "Published",
            "sections": json.dumps(outline),
        }
        parts: dict[str, tuple[str | None, str | bytes] | tuple[str, bytes, str]] = {
            name: (None, value) for name, value in form.items()
        }
        parts["image"] = ("cover.png", THUMBNAIL, "image/png")
        self.http.put(
            f"{self.gateway}/courses/{course_id}", headers=auth, files=parts, timeout=10
        ).raise_for_status()
        return str(course_id)

    def purchase(self, course_id: str) -> Purchase:
        sub = f"user_s{uuid.uuid4().hex[:12]}"
        token = self.token(sub, "student")
        answer = self.http.post(
            f"{self.gateway}/api/payments/create-order",
            headers={"Authorization": f"Bearer {token}"},
            json={"courseId": course_id},
            timeout=30,
        )
        answer.raise_for_status()
        order = answer.json()["data"]
        return Purchase(sub, token, order["order_id"], f"{float(order['order_amount']):.2f}")

    def webhook(self, purchase: Purchase) -> tuple[float, int]:
        """POST a signed PAYMENT_SUCCESS_WEBHOOK as Cashfree would; returns (sent_at, status)."""
        body = success_body(purchase.order_id, purchase.amount_rupees)
        headers = signed_headers(self.secret, body)
        sent_at = time.time()
        return sent_at, self.post_webhook(body, headers)

    def post_webhook(self, body: str, headers: dict[str, str]) -> int:
        """POST a webhook body as given (signed or not) to the gateway; its HTTP status."""
        return self.http.post(
            f"{self.gateway}/api/payments/webhook", data=body, headers=headers, timeout=30
        ).status_code

    def enrolled_at(self, purchase: Purchase, course_id: str) -> float | None:
        """The moment the enrollment handler committed (its own timestamp), if it has."""
        answer = self.http.get(
            f"{self.enrollment}/users/course-progress/{purchase.student_id}/courses/{course_id}",
            headers={"Authorization": f"Bearer {purchase.token}"},
            timeout=10,
        )
        if answer.status_code != 200:
            return None
        return parse_iso(answer.json()["data"]["enrollmentDate"]).timestamp()


def success_body(order_id: str, amount_rupees: str) -> str:
    """A PAYMENT_SUCCESS_WEBHOOK body as Cashfree sends it: compact JSON, amounts as `499.00`."""
    now = datetime.now().astimezone().isoformat(timespec="seconds")
    amount = "__AMOUNT__"
    payload = {
        "data": {
            "order": {
                "order_id": order_id,
                "order_amount": amount,
                "order_currency": "INR",
                "order_tags": None,
            },
            "payment": {
                "cf_payment_id": str(uuid.uuid4().int % 10**10),
                "payment_status": "SUCCESS",
                "payment_amount": amount,
                "payment_currency": "INR",
                "payment_message": "00::Transaction success",
                "payment_time": now,
                "payment_group": "upi",
            },
        },
        "event_time": now,
        "type": "PAYMENT_SUCCESS_WEBHOOK",
    }
    return json.dumps(payload, separators=(",", ":")).replace(f'"{amount}"', amount_rupees)


def signed_headers(secret: str, body: str) -> dict[str, str]:
    """Cashfree's headers for `body`, signed now: base64(HMAC-SHA256(secret, timestamp + body))."""
    timestamp = str(int(time.time() * 1000))
    digest = hmac.new(secret.encode(), (timestamp + body).encode(), hashlib.sha256).digest()
    return {
        "content-type": "application/json",
        "x-webhook-timestamp": timestamp,
        "x-webhook-signature": base64.b64encode(digest).decode(),
        "x-webhook-version": "2023-08-01",
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(shop: Shop, rate: float, seconds: int) -> LatencyFigures:
    course_id = shop.course()
    count = int(rate * seconds)
    with ThreadPoolExecutor(max_workers=12) as pool:
        purchases = list(pool.map(lambda _: shop.purchase(course_id), range(count)))
    sent: dict[str, tuple[float, float, int]] = {}
    lock = threading.Lock()

    def fire(purchase: Purchase) -> None:
        started = time.perf_counter()
        sent_at, status = shop.webhook(purchase)
        with lock:
            sent[purchase.order_id] = (sent_at, (time.perf_counter() - started) * 1000, status)

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=64) as pool:
        for i, purchase in enumerate(purchases):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(fire, purchase)
    deadline = time.time() + 60
    latencies: list[float] = []
    for purchase in purchases:
        while (
            enrolled := shop.enrolled_at(purchase, course_id)
        ) is None and time.time() < deadline:
            time.sleep(0.2)
        if enrolled is not None:
            latencies.append((enrolled - sent[purchase.order_id][0]) * 1000)
    webhook_ms = [v[1] for v in sent.values()]
    return LatencyFigures(
        rate_per_second=rate,
        seconds=seconds,
        webhooks=len(sent),
        enrolled=len(latencies),
        p50_ms=round(statistics.median(latencies), 1),
        p99_ms=round(percentile(latencies, 0.99), 1),
        max_ms=round(max(latencies), 1),
        webhook_p99_ms=round(percentile(webhook_ms, 0.99), 1),
    )
