"""The shopper: teachers and courses, then every planned order at the planned rate through the
gateway and the Cashfree stand-in, with its duplicate, late FAILED or forged webhooks."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import requests

from bench.webhooks import Purchase, Shop, signed_headers, success_body
from chaos.plan import Plan, PlannedOrder

T = TypeVar("T")
POOL_SIZE = 64
"""Threads for orders and their extra webhooks: bounds what is in flight when the stack stalls."""
ATTEMPTS = 3
"""Tries of a purchase, as a shopper clicks again after an error page."""
BASE_PRICE, PRICE_STEP = 19900, 1000
"""Paise; every course has its own price, so a sale counted on the wrong course shows."""


class ForgeryError(RuntimeError):
    """A tampering left the signed body unchanged: sending it would be a genuine webhook."""


@dataclass(frozen=True)
class Teacher:
    user_id: str
    auth: dict[str, str]


@dataclass(frozen=True)
class Course:
    course_id: str
    teacher: Teacher
    price: int
    """Paise."""


@dataclass
class OrderRun:
    """One planned order as it went: its purchase once created, when it was paid, each answer."""

    planned: PlannedOrder
    course: Course
    purchase: Purchase | None = None
    paid_at: float | None = None
    """Epoch seconds just before the stand-in recorded the SUCCESS (and sent its webhook)."""
    answers: list[tuple[str, int | None]] = field(default_factory=list)
    """(what was sent, the HTTP status of the webhook delivery; None without an answer)."""
    error: str | None = None


class Shopper:
    """Buys through `shop`; pays through the Cashfree stand-in's simulator, which records the
    payment and delivers its signed webhook (retrying as Cashfree does)."""

    def __init__(self, shop: Shop) -> None:
        self.shop = shop
        self._begun, self._planned, self._over = 0, 0, False
        self._lock = threading.Lock()

    def progress(self) -> int:
        """Orders begun so far (a load that lags its schedule is behind its clock); all the
        planned ones once the load is over, however it ended."""
        return self._planned if self._over else self._begun

    def open_shop(self, plan: Plan) -> list[Course]:
        teachers = [self._teacher() for _ in range(plan.teachers)]
        with ThreadPoolExecutor(max_workers=4) as pool:
            return list(
                pool.map(
                    lambda i: self._course(i, teachers[i % len(teachers)]), range(plan.courses)
                )
            )

    def run(self, plan: Plan, courses: list[Course], started: float) -> list[OrderRun]:
        """Start each order at `started` (monotonic) + its planned time; return once every
        order and every extra webhook has been answered."""
        runs = [OrderRun(order, courses[order.course]) for order in plan.orders]
        self._planned = len(runs)
        try:
            with ThreadPoolExecutor(max_workers=POOL_SIZE) as pool:
                orders: list[Future[list[Future[None]]]] = []
                for run in runs:
                    delay = started + run.planned.at - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                    orders.append(pool.submit(self._order, run, pool))
                # the extra webhooks are queued before the pool may shut down
                extras = [extra for order in orders for extra in order.result()]
            for extra in extras:
                extra.result()
        finally:
            self._over = True
        return runs

    def _order(self, run: OrderRun, pool: ThreadPoolExecutor) -> list[Future[None]]:
        """Buy, then pay or forge; the extra webhooks go to `pool`, and are returned."""
        extras: list[Future[None]] = []
        with self._lock:
            self._begun += 1
        try:
            purchase = run.purchase = _retried(lambda: self.shop.purchase(run.course.course_id))
            forgery = run.planned.forgery
            if forgery is not None:
                run.answers.append((f"forged:{forgery}", self._forge(purchase, forgery)))
                return extras
            run.paid_at = time.time()
            run.answers.append(("pay", self._pay(purchase.order_id, "SUCCESS")))
            if run.planned.duplicates:
                webhook = self._latest_webhook(purchase.order_id)
                extras += [
                    pool.submit(self._answer, run, "duplicate", self._replay, webhook)
                    for _ in range(run.planned.duplicates)
                ]
            if run.planned.late_failed:
                late = (purchase.order_id, "FAILED")
                extras.append(pool.submit(self._answer, run, "late_failed", self._pay, *late))
        except (requests.RequestException, ForgeryError, KeyError) as error:
            answer = getattr(error, "response", None)
            said = f" {answer.text[:200]}" if answer is not None else ""
            run.error = f"{type(error).__name__}: {error}{said}"
        return extras

    @staticmethod
    def _answer(run: OrderRun, what: str, send: Callable[..., int | None], *args: Any) -> None:
        try:
            run.answers.append((what, send(*args)))
        except requests.RequestException:
            run.answers.append((what, None))

    def _teacher(self) -> Teacher:
        user_id = f"user_t{uuid.uuid4().hex[:12]}"
        token = self.shop.token(user_id, "teacher")
        return Teacher(user_id, {"Authorization": f"Bearer {token}"})

    def _course(self, index: int, teacher: Teacher) -> Course:
        price = BASE_PRICE + PRICE_STEP * index
        return Course(self.shop.course(price, teacher.auth), teacher, price)

    def _pay(self, order_id: str, outcome: str) -> int | None:
        """A payment attempt at the stand-in; the HTTP status of its webhook's first delivery."""
        answer = self.shop.http.post(
            f"{self.shop.standins}/pg/sim/orders/{order_id}/pay",
            json={"outcome": outcome, "deliver": True},
            timeout=30,
        )
        answer.raise_for_status()
        delivered: int | None = answer.json()["delivered"]
        return delivered

    def _latest_webhook(self, order_id: str) -> dict[str, Any]:
        """The order's latest webhook exactly as the stand-in signed and sent it."""
        answer = self.shop.http.get(
            f"{self.shop.standins}/pg/sim/orders/{order_id}/webhook", timeout=10
        )
        answer.raise_for_status()
        webhook: dict[str, Any] = answer.json()
        return webhook

    def _replay(self, webhook: dict[str, Any]) -> int:
        return self.shop.post_webhook(webhook["body"], webhook["headers"])

    def _forge(self, purchase: Purchase, forgery: str) -> int:
        """A SUCCESS webhook for an order nobody paid: signed with the wrong secret, or signed
        right and then altered (the amount, or the order id in a decoy order's body)."""
        secret, amount = self.shop.secret, purchase.amount_rupees
        if forgery == "bad_signature":
            body = success_body(purchase.order_id, amount)
            return self.shop.post_webhook(body, signed_headers(f"{secret}-forged", body))
        if forgery == "tampered_amount":
            signed = success_body(purchase.order_id, amount)
            body = _altered(signed, f":{amount},", ":1.00,")
        else:
            decoy = f"pl_decoy_{uuid.uuid4().hex[:12]}"
            signed = success_body(decoy, amount)
            body = _altered(signed, decoy, purchase.order_id)
        return self.shop.post_webhook(body, signed_headers(secret, signed))


def _altered(body: str, old: str, new: str) -> str:
    altered = body.replace(old, new)
    if altered == body:
        raise ForgeryError(f"{old!r} is not in the signed body")
    return altered


def _retried(attempt: Callable[[], T]) -> T:
    for _ in range(ATTEMPTS - 1):
        try:
            return attempt()
        except requests.RequestException:
            time.sleep(0.5)
    return attempt()
