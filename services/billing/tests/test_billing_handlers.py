"""Billing's handlers with in-memory fakes: checkout, payments, refunds and reconciliation, no
DynamoDB and no Cashfree."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any, cast

import pytest

from billing import handlers
from billing.adapters import keys
from billing.adapters.cashfree import CashfreeClient, CashfreeError
from billing.adapters.catalog_client import CatalogClient
from billing.adapters.enrollment_client import EnrollmentClient
from billing.adapters.repository import (
    AttemptRecorded,
    CheckoutTaken,
    OrderRepository,
    OwnedThroughAnotherOrder,
    StaleOrder,
)
from billing.adapters.signature import expected_signature
from billing.commands import (
    CreateOrder,
    ReceiveWebhook,
    ReconcileDue,
    RequestRefund,
    ShowOrderStatus,
)
from billing.domain.model import PENDING, SUCCESS, Attempt, Order
from billing.errors import (
    AlreadyEnrolled,
    BadSignature,
    CourseNotForSale,
    MalformedWebhook,
    OrderNotFound,
    RefundRefused,
)
from billing.ledger import Ledger
from billing.schedule import ReconcileSchedule
from shared.api.internal import CoursePlayback, PricedCourse, Standing
from shared.clerk import ClerkClient, UserProfile
from shared.clock import iso, now_iso, utc_now
from shared.messaging.unit_of_work import UnitOfWork
from shared.tests.fakes import FakeUnitOfWork

SECRET = "webhook-secret"
STUDENT, TEACHER = "user_student1", "t1"
PAID_VIDEOS = frozenset({"v1", "v2", "v3", "v4", "v5"})
SCHEDULE = ReconcileSchedule(after_seconds=60, max_delay_seconds=3600)


def refuse_unless(
    holds: Callable[[], bool], failure: Callable[[], Exception]
) -> Callable[[], None]:
    def check() -> None:
        if not holds():
            raise failure()

    return check


@dataclass
class FakeOrders:
    """Orders, checkouts, ownership, recorded attempts, totals and alerts in dicts."""

    orders: dict[str, Order] = field(default_factory=dict)
    checkouts: dict[tuple[str, str], str] = field(default_factory=dict)
    owners: dict[tuple[str, str], str] = field(default_factory=dict)
    attempts: set[tuple[str, str, str]] = field(default_factory=set)
    sales: dict[str, int] = field(default_factory=dict)
    refunds: dict[str, int] = field(default_factory=dict)
    alerted: list[str] = field(default_factory=list)

    def get(self, order_id: str) -> Order | None:
        return self.orders.get(order_id)

    def standing(self, user_id: str, course_id: str) -> tuple[str | None, str | None]:
        return self.owners.get((user_id, course_id)), self.checkouts.get((user_id, course_id))

    def owning_order(self, user_id: str, course_id: str) -> str | None:
        return self.owners.get((user_id, course_id))

    def add(self, uow: FakeUnitOfWork, order: Order, replacing: str | None) -> None:
        slot = (order.user_id, order.course_id)

        def write() -> None:
            self.orders[order.order_id] = order
            self.checkouts[slot] = order.order_id

        uow.stage(
            write, refuse_unless(lambda: self.checkouts.get(slot) == replacing, CheckoutTaken)
        )

    def save(self, uow: FakeUnitOfWork, order: Order, read_status: str, read_updated: str) -> None:
        def unchanged() -> bool:
            stored = self.orders[order.order_id]
            return (stored.status, stored.updated_at) == (read_status, read_updated)

        uow.stage(
            lambda: self.orders.__setitem__(order.order_id, order),
            refuse_unless(unchanged, StaleOrder),
        )

    def claim_ask(self, order_id: str, now: str, asked_before: str) -> Order | None:
        order = self.orders[order_id]
        if order.status != PENDING or (order.asked_at and order.asked_at > asked_before):
            return None
        self.orders[order_id] = replace(order, asked_at=now)
        return self.orders[order_id]

    def record_attempt(self, uow: FakeUnitOfWork, order_id: str, attempt: Attempt) -> None:
        key = (order_id, attempt.provider_payment_id, attempt.status)
        uow.stage(
            lambda: self.attempts.add(key),
            refuse_unless(lambda: key not in self.attempts, AttemptRecorded),
        )

    def grant_ownership(self, uow: FakeUnitOfWork, order: Order) -> None:
        slot = (order.user_id, order.course_id)
        uow.stage(
            lambda: self.owners.__setitem__(slot, order.order_id),
            refuse_unless(
                lambda: self.owners.get(slot, order.order_id) == order.order_id,
                OwnedThroughAnotherOrder,
            ),
        )

    def release_ownership(self, uow: FakeUnitOfWork, order: Order) -> None:
        slot = (order.user_id, order.course_id)

        def write() -> None:
            if self.owners.get(slot) == order.order_id:
                del self.owners[slot]

        uow.stage(write)

    def count(self, uow: FakeUnitOfWork, order: Order, *, sales: int = 0, refunds: int = 0) -> None:
        def write() -> None:
            self.sales[order.course_id] = self.sales.get(order.course_id, 0) + sales
            self.refunds[order.course_id] = self.refunds.get(order.course_id, 0) + refunds

        uow.stage(write)

    def due_for_check(self, partition: str, now: str, limit: int) -> list[Order]:
        def waiting(order: Order) -> bool:
            if partition == keys.PENDING_ORDERS:
                return order.status == PENDING
            return order.status != PENDING and order.refund is not None and order.refund.open

        due = [o for o in self.orders.values() if waiting(o) and (o.check_at or "") < now]
        return sorted(due, key=lambda o: o.check_at or "")[:limit]

    def alert(self, kind: str, _detail: dict[str, Any]) -> None:
        self.alerted.append(kind)


@dataclass
class FakeCashfree:
    """Cashfree's orders, their payments and refunds; `asked` lists every call."""

    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    payments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    asked: list[tuple[str, str]] = field(default_factory=list)

    def create_order(self, order: dict[str, Any]) -> dict[str, Any]:
        order_id = order["order_id"]
        self.asked.append(("create_order", order_id))
        self.orders[order_id] = {
            "order_id": order_id,
            "cf_order_id": f"cf_{order_id}",
            "payment_session_id": f"session_{order_id}",
            "order_status": "ACTIVE",
            "order_amount": order["order_amount"],
            "order_currency": order["order_currency"],
            "order_expiry_time": None,
        }
        return self.orders[order_id]

    def get_order(self, order_id: str) -> dict[str, Any]:
        self.asked.append(("get_order", order_id))
        return self.orders[order_id]

    def get_payments(self, order_id: str) -> list[dict[str, Any]]:
        self.asked.append(("get_payments", order_id))
        return self.payments.get(order_id, [])

    def terminate_order(self, order_id: str) -> dict[str, Any]:
        self.asked.append(("terminate_order", order_id))
        if self.orders[order_id]["order_status"] == "PAID":
            raise CashfreeError(400, "order_paid", "A paid order cannot be terminated.")
        self.orders[order_id]["order_status"] = "TERMINATED"
        return self.orders[order_id]

    def create_refund(self, order_id: str, refund: dict[str, Any]) -> dict[str, Any]:
        self.asked.append(("create_refund", order_id))
        self.refunds[order_id] = {
            **refund,
            "order_id": order_id,
            "cf_refund_id": f"cf_{refund['refund_id']}",
            "refund_status": "PENDING",
            "created_at": now_iso(),
        }
        return self.refunds[order_id]

    def get_refund(self, order_id: str, _refund_id: str) -> dict[str, Any]:
        self.asked.append(("get_refund", order_id))
        return self.refunds[order_id]

    def pay(self, order_id: str, status: str = SUCCESS) -> dict[str, Any]:
        """A buyer pays at Cashfree: its webhook's body (which the caller may deliver or lose)."""
        order = self.orders[order_id]
        payment = {
            "cf_payment_id": f"pay_{len(self.payments.get(order_id, ()))}_{order_id}",
            "payment_status": status,
            "payment_amount": order["order_amount"],
            "payment_currency": order["order_currency"],
            "payment_time": now_iso(),
        }
        self.payments.setdefault(order_id, []).append(payment)
        if status == SUCCESS:
            order["order_status"] = "PAID"
        return {
            "type": f"PAYMENT_{'SUCCESS' if status == SUCCESS else 'FAILED'}_WEBHOOK",
            "data": {
                "order": {
                    "order_id": order_id,
                    "order_amount": order["order_amount"],
                    "order_currency": order["order_currency"],
                },
                "payment": payment,
            },
        }


@dataclass
class FakeCatalog:
    courses: dict[str, PricedCourse] = field(default_factory=dict)
    issued: frozenset[str] = frozenset()

    def priced_course(self, course_id: str) -> PricedCourse:
        if course_id not in self.courses:
            raise CourseNotForSale("No such course.")
        return self.courses[course_id]

    def course_playback(self, course_id: str, user_id: str) -> CoursePlayback:
        return CoursePlayback(
            course_id=course_id,
            user_id=user_id,
            paid_video_chapter_ids=PAID_VIDEOS,
            issued_chapter_ids=self.issued,
        )


@dataclass
class FakeEnrollment:
    progress: int = 0
    streamed: frozenset[str] = frozenset()

    def standing(self, user_id: str, course_id: str) -> Standing:
        return Standing(
            user_id=user_id,
            course_id=course_id,
            enrolled=True,
            order_id="o1",
            overall_progress=self.progress,
            issued_chapter_ids=self.streamed,
        )


class FakeClerk:
    def get_user(self, user_id: str) -> UserProfile:
        return UserProfile(user_id, "Asha", "Rao", "asha@example.test", "+91 98765 43210", {})


def course(price: int = 49900, status: str = "Published") -> PricedCourse:
    return PricedCourse(
        course_id="c1",
        title="Course",
        teacher_id=TEACHER,
        status=status,
        price=price,
        currency="INR",
    )


@dataclass
class World:
    orders: FakeOrders = field(default_factory=FakeOrders)
    cashfree: FakeCashfree = field(default_factory=FakeCashfree)
    catalog: FakeCatalog = field(default_factory=lambda: FakeCatalog({"c1": course()}))
    enrollment: FakeEnrollment = field(default_factory=FakeEnrollment)
    published: list[Any] = field(default_factory=list)
    schedule: ReconcileSchedule = SCHEDULE

    def unit_of_work(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(committed=self.published)

    def events(self) -> list[str]:
        return [type(e).__name__ for e in self.published]

    @property
    def ledger(self) -> Ledger:
        """The fakes as the ledger every payment and refund handler takes."""
        return Ledger(
            orders=cast(OrderRepository, self.orders),
            unit_of_work=cast(Callable[[], UnitOfWork], self.unit_of_work),
            cashfree=cast(CashfreeClient, self.cashfree),
            schedule=self.schedule,
        )

    def create_order(self, user_id: str = STUDENT) -> dict[str, Any]:
        return handlers.create_order(
            CreateOrder(user_id, "c1"),
            ledger=self.ledger,
            catalog=cast(CatalogClient, self.catalog),
            clerk=cast(ClerkClient, FakeClerk()),
            return_url="https://prolearn.test/return",
            placeholder_phone="9999999999",
        ).wire()

    def request_refund(
        self, order_id: str, reason: str = "not for me", user_id: str = STUDENT
    ) -> handlers.RefundRequested:
        return handlers.request_refund(
            RequestRefund(user_id, order_id, reason),
            ledger=self.ledger,
            enrollment=cast(EnrollmentClient, self.enrollment),
            catalog=cast(CatalogClient, self.catalog),
            refund_window_days=7,
            refund_max_progress_percent=30,
        )

    def webhook(self, body: dict[str, Any] | bytes, signed_as: bytes | None = None) -> str:
        raw = body if isinstance(body, bytes) else json.dumps(body, default=float).encode()
        signature = expected_signature(SECRET, "1700000000000", signed_as or raw)
        command = ReceiveWebhook(raw, "1700000000000", signature)
        return handlers.receive_webhook(command, ledger=self.ledger, secret=SECRET)

    def status(self, order_id: str, user_id: str = STUDENT) -> Order:
        return handlers.show_order_status(ShowOrderStatus(user_id, order_id), ledger=self.ledger)

    def paid_order(self) -> str:
        order_id = str(self.create_order()["order_id"])
        assert self.webhook(self.cashfree.pay(order_id)) == SUCCESS
        return order_id

    def age(self, order_id: str, seconds: float) -> None:
        """The order was opened (and paid, if it was) this long ago."""
        order = self.orders.orders[order_id]
        at = iso(utc_now() - timedelta(seconds=seconds))
        self.orders.orders[order_id] = replace(
            order, created_at=at, paid_at=at if order.paid_at else None
        )


@pytest.fixture
def world() -> World:
    return World()


def test_an_open_order_is_answered_again_at_catalogs_price(world: World) -> None:
    first = world.create_order()
    again = world.create_order()
    assert again == first
    assert first["order_amount"] == 499.0 and isinstance(first["order_amount"], float)
    assert world.cashfree.asked == [("create_order", first["order_id"])]


def test_only_a_published_course_is_for_sale(world: World) -> None:
    world.catalog.courses["c1"] = course(status="Draft")
    with pytest.raises(CourseNotForSale):
        world.create_order()
    assert world.orders.orders == {}


def test_a_free_course_enrolls_at_once_without_cashfree(world: World) -> None:
    world.catalog.courses["c1"] = course(price=0)
    answer = world.create_order()
    assert answer["order_status"] == "PAID"
    assert world.events() == ["PaymentSucceeded"]
    assert world.cashfree.asked == []
    with pytest.raises(AlreadyEnrolled):
        world.create_order()


def test_a_new_price_retires_the_open_order_at_cashfree_first(world: World) -> None:
    old = world.create_order()["order_id"]
    world.catalog.courses["c1"] = course(price=59900)
    new = world.create_order()["order_id"]
    assert new != old
    assert world.cashfree.orders[old]["order_status"] == "TERMINATED"
    assert world.orders.orders[old].status == "FAILED"
    assert world.orders.checkouts[(STUDENT, "c1")] == new


def test_an_open_order_paid_meanwhile_means_the_course_is_owned(world: World) -> None:
    """Cashfree refuses to terminate a paid order: it is reconciled, and nothing is charged
    twice."""
    old = world.create_order()["order_id"]
    world.cashfree.pay(old)  # its webhook is late
    world.catalog.courses["c1"] = course(price=59900)
    with pytest.raises(AlreadyEnrolled):
        world.create_order()
    assert world.orders.orders[old].status == SUCCESS
    assert world.events() == ["PaymentSucceeded"]


def test_a_payment_pays_its_order_once_however_often_its_webhook_comes(world: World) -> None:
    order_id = world.create_order()["order_id"]
    paid = world.cashfree.pay(order_id)
    assert [world.webhook(paid) for _ in range(3)] == [SUCCESS] * 3
    assert world.events() == ["PaymentSucceeded"]
    assert world.orders.sales == {"c1": 1}
    assert world.orders.owners == {(STUDENT, "c1"): order_id}


def test_a_webhook_applies_only_when_signed_over_the_exact_bytes(world: World) -> None:
    order_id = world.create_order()["order_id"]
    raw = json.dumps(world.cashfree.pay(order_id), default=float).encode()
    with pytest.raises(BadSignature):
        world.webhook(raw.replace(b"499.0", b"4.99"), signed_as=raw)
    with pytest.raises(MalformedWebhook):
        world.webhook(b"[1]")
    assert world.orders.orders[order_id].status == PENDING
    assert world.events() == []


def test_a_webhook_that_cannot_apply_is_left_to_an_operator(world: World) -> None:
    order_id = world.create_order()["order_id"]
    paid = world.cashfree.pay(order_id)
    stranger = {**paid, "data": {**paid["data"], "order": {"order_id": "pl_nobody"}}}
    assert world.webhook(stranger) == "unknown_order"
    cheap = json.loads(json.dumps(paid, default=float))
    cheap["data"]["order"]["order_amount"] = 1.0
    assert world.webhook(cheap) == "amount_mismatch"
    assert world.webhook({"type": "SETTLEMENT_WEBHOOK"}) == "ignored"
    assert world.orders.alerted == ["unknown_order", "amount_mismatch"]
    assert world.events() == []


def test_a_second_payment_for_an_owned_course_is_refunded_at_once(world: World) -> None:
    first = world.create_order()["order_id"]
    world.orders.checkouts.clear()  # the race checkout's termination of `first` usually prevents
    second = world.create_order()["order_id"]
    assert world.webhook(world.cashfree.pay(second)) == SUCCESS
    assert world.webhook(world.cashfree.pay(first)) == SUCCESS
    duplicate = world.orders.orders[first]
    assert duplicate.duplicate_of == second
    assert duplicate.refund is not None and duplicate.refund.kind == "duplicate_payment"
    assert ("create_refund", first) in world.cashfree.asked
    assert world.events() == ["PaymentSucceeded"]
    assert world.orders.owners == {(STUDENT, "c1"): second}
    assert world.orders.sales == {"c1": 1}
    assert world.orders.alerted == ["duplicate_payment"]


def test_a_refund_is_for_the_buyer_of_a_paid_order_within_the_window(world: World) -> None:
    order_id = world.create_order()["order_id"]
    with pytest.raises(RefundRefused) as caught:
        world.request_refund(order_id)
    assert caught.value.code == "order_not_paid"
    world.webhook(world.cashfree.pay(order_id))
    with pytest.raises(OrderNotFound):
        world.request_refund(order_id, user_id="someone_else")
    world.age(order_id, timedelta(days=7, minutes=1).total_seconds())
    with pytest.raises(RefundRefused) as caught:
        world.request_refund(order_id)
    assert (caught.value.code, caught.value.details["windowDays"]) == ("refund_window_closed", 7)


def test_reported_progress_refuses_first(world: World) -> None:
    order_id = world.paid_order()
    world.enrollment.progress = 50
    world.catalog.issued = PAID_VIDEOS
    with pytest.raises(RefundRefused) as caught:
        world.request_refund(order_id)
    assert caught.value.code == "progress_limit_reached"
    assert caught.value.details == {"overallProgress": 50, "limitPercent": 30}


def test_videos_issued_on_the_course_page_and_the_stream_count_together(world: World) -> None:
    order_id = world.paid_order()
    world.catalog.issued, world.enrollment.streamed = frozenset({"v1"}), frozenset({"v2"})
    with pytest.raises(RefundRefused) as caught:
        world.request_refund(order_id)
    assert caught.value.code == "refund_content_issued"
    assert caught.value.details == {
        "issuedPercent": 40,
        "issuedChapters": 2,
        "paidVideoChapters": 5,
        "limitPercent": 30,
    }


def test_a_refund_is_recorded_sent_and_answered_again(world: World) -> None:
    order_id = world.paid_order()
    world.enrollment.progress = 20
    world.catalog.issued = world.enrollment.streamed = frozenset({"v1"})  # one of five, twice
    requested = world.request_refund(order_id, "  not what I hoped  ")
    refund = requested.order.refund
    assert requested.created and refund is not None
    assert (refund.amount, refund.reason, refund.status) == (49900, "not what I hoped", "PENDING")
    again = world.request_refund(order_id, "once more")
    assert not again.created and again.order.refund == refund
    assert world.cashfree.asked.count(("create_refund", order_id)) == 1


def test_a_refunds_success_releases_the_course(world: World) -> None:
    order_id = world.paid_order()
    world.request_refund(order_id)
    settled = {**world.cashfree.refunds[order_id], "refund_status": SUCCESS}
    settled["refund_amount"] = float(settled["refund_amount"])
    body = {"type": "REFUND_STATUS_WEBHOOK", "data": {"refund": settled}}
    assert world.webhook(body) == SUCCESS
    assert world.webhook(body) == SUCCESS  # a redelivery changes nothing
    assert world.events() == ["PaymentSucceeded", "RefundSucceeded"]
    assert world.orders.owners == {}
    assert world.orders.refunds == {"c1": 1}


def test_order_status_is_the_buyers_alone(world: World) -> None:
    order_id = world.create_order()["order_id"]
    assert world.status(order_id).status == PENDING
    with pytest.raises(OrderNotFound):
        world.status(order_id, user_id="someone_else")
    with pytest.raises(OrderNotFound):
        world.status("pl_nobody")


def test_a_poll_asks_cashfree_about_a_late_order_once_per_window(world: World) -> None:
    paid = world.create_order()["order_id"]
    world.cashfree.pay(paid)  # its webhook is lost
    assert world.status(paid).status == PENDING  # too young to ask about
    world.age(paid, 61)
    assert world.status(paid).status == SUCCESS
    assert world.events() == ["PaymentSucceeded"]

    unpaid = world.create_order("user_other1")["order_id"]
    world.age(unpaid, 61)
    polls = [world.status(unpaid, user_id="user_other1").status for _ in range(3)]
    assert polls == [PENDING] * 3
    assert world.cashfree.asked.count(("get_payments", unpaid)) == 1


def test_the_sweep_pays_an_order_whose_webhooks_were_all_lost(world: World) -> None:
    paid, open_ = world.create_order()["order_id"], world.create_order("user_other1")["order_id"]
    world.cashfree.pay(paid)
    for order_id in (paid, open_):
        world.age(order_id, 61)
        order = world.orders.orders[order_id]
        world.orders.orders[order_id] = replace(order, check_at=order.created_at)
    sweep = handlers.reconcile_due(ReconcileDue(), ledger=world.ledger)
    assert (sweep.orders_checked, sweep.orders_settled) == (2, 1)
    assert world.orders.orders[paid].status == SUCCESS
    assert world.events() == ["PaymentSucceeded"]
    deferred = world.orders.orders[open_].check_at
    assert deferred is not None and deferred > now_iso()  # looked at again later
