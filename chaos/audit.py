"""The checks — every paid order enrolled, owned and receipted exactly once, forged ones never,
seat counts and teacher totals exact, no dead letter — and the wait until they all hold."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from botocore.exceptions import BotoCoreError, ClientError
from redis import RedisError

from billing.domain.model import SUCCESS
from chaos.load import Course, OrderRun
from chaos.observe import Observer, Snapshot
from enrollment.domain.model import ACTIVE

AUDIT_EVERY_SECONDS = 2.0


@dataclass(frozen=True)
class Bought:
    """An order the run created: who bought which course, and what the shopper sent for it."""

    order_id: str
    student_id: str
    course: Course
    run: OrderRun

    @property
    def key(self) -> tuple[str, str]:
        return self.student_id, self.course.course_id

    @property
    def email(self) -> str:
        """The address the identity stand-in gives a user created without one."""
        return f"{self.student_id}@example.test"

    def __str__(self) -> str:
        return f"order {self.order_id} (student {self.student_id}, course {self.course.course_id})"


@dataclass(frozen=True)
class Expectation:
    paid: tuple[Bought, ...]
    """Orders the Cashfree stand-in recorded as paid."""
    unpaid: tuple[Bought, ...]
    """Orders created and never paid: the forged ones."""
    courses: tuple[Course, ...]

    @classmethod
    def of(cls, runs: list[OrderRun], paid: set[str], courses: list[Course]) -> Expectation:
        bought = [
            Bought(run.purchase.order_id, run.purchase.student_id, run.course, run)
            for run in runs
            if run.purchase
        ]
        return cls(
            paid=tuple(b for b in bought if b.order_id in paid),
            unpaid=tuple(b for b in bought if b.order_id not in paid),
            courses=tuple(courses),
        )

    def sold(self) -> dict[str, tuple[int, int]]:
        """Each course's paid orders and their sum in paise."""
        orders = Counter(b.course.course_id for b in self.paid)
        return {
            c.course_id: (orders[c.course_id], orders[c.course_id] * c.price) for c in self.courses
        }


@dataclass(frozen=True)
class Check:
    name: str
    misses: tuple[str, ...]
    """One line per miss, naming the order (or course, letter) and what was found."""

    @property
    def passed(self) -> bool:
        return not self.misses


def checks(expect: Expectation, snap: Snapshot) -> list[Check]:
    def per_paid(name: str, issue: Callable[[Bought, Snapshot], str | None]) -> Check:
        return Check(name, tuple(f"{b}: {i}" for b in expect.paid if (i := issue(b, snap))))

    forged = tuple(f"{b}: {', '.join(e)}" for b in expect.unpaid if (e := _effects(b, snap)))
    return [
        per_paid("paid_enrolled_once", _enrollment_issue),
        per_paid("paid_owned_once", _ownership_issue),
        per_paid("paid_stays_paid", _state_issue),
        per_paid("one_receipt_per_paid_order", _receipt_issue),
        Check("forged_never_accepted", forged + _unexplained(expect, snap)),
        Check("seat_counts_exact", _seat_misses(expect, snap)),
        Check("teacher_totals_exact", _sales_misses(expect, snap)),
        Check("no_dead_letters", tuple(_letter(letter) for letter in snap.dead_letters)),
    ]


def lost(expect: Expectation, snap: Snapshot) -> list[Bought]:
    """Paid orders without an active enrollment through them."""
    return [b for b in expect.paid if not _enrolled_through(b, snap)]


def duplicated(expect: Expectation, snap: Snapshot) -> list[Bought]:
    """Paid orders with more than one receipt (an enrollment record is one per key)."""
    return [b for b in expect.paid if len(snap.receipts.get(b.order_id, [])) > 1]


def forged_accepted(expect: Expectation, snap: Snapshot) -> list[Bought]:
    return [b for b in expect.unpaid if _effects(b, snap)]


def surplus(expect: Expectation, snap: Snapshot) -> dict[str, int]:
    """Seats, and orders in the teachers' totals, counted beyond the paid orders."""
    sold = expect.sold().items()
    return {
        "seats": sum(max(0, snap.seats.get(c, 0) - orders) for c, (orders, _) in sold),
        "sales": sum(max(0, snap.sales.get(c, (0, 0))[0] - orders) for c, (orders, _) in sold),
    }


def _enrolled_through(bought: Bought, snap: Snapshot) -> bool:
    record = snap.enrollments.get(bought.key)
    return (
        record is not None
        and record["status"] == ACTIVE
        and bought.order_id in {record["orderId"], *(record.get("standbyOrders") or ())}
    )


def _enrollment_issue(bought: Bought, snap: Snapshot) -> str | None:
    record = snap.enrollments.get(bought.key)
    if record is None:
        return "no enrollment record"
    if not _enrolled_through(bought, snap):
        return f"enrollment {record['status']} through {record['orderId']}"
    return None


def _ownership_issue(bought: Bought, snap: Snapshot) -> str | None:
    owner = snap.owners.get(bought.key)
    if owner == bought.order_id:
        return None
    return "no ownership record" if owner is None else f"owned through {owner}"


def _state_issue(bought: Bought, snap: Snapshot) -> str | None:
    state = snap.order_states.get(bought.order_id)
    return None if state == SUCCESS else f"billing has it {state}"


def _receipt_issue(bought: Bought, snap: Snapshot) -> str | None:
    receipts = snap.receipts.get(bought.order_id, [])
    if len(receipts) != 1:
        return f"{len(receipts)} receipts"
    return None if bought.email in receipts[0].to else f"receipt sent to {receipts[0].to}"


def _effects(bought: Bought, snap: Snapshot) -> list[str]:
    """What a forged webhook for an unpaid order achieved: nothing, or these."""
    effects = [
        f"{what} answered {code}" for what, code in bought.run.answers if code and code < 300
    ]
    if bought.key in snap.enrollments:
        effects.append("enrolled")
    if bought.key in snap.owners:
        effects.append(f"owned through {snap.owners[bought.key]}")
    if snap.order_states.get(bought.order_id) == SUCCESS:
        effects.append("billing has it SUCCESS")
    if bought.order_id in snap.receipts:
        effects.append(f"{len(snap.receipts[bought.order_id])} receipts")
    return effects


def _unexplained(expect: Expectation, snap: Snapshot) -> tuple[str, ...]:
    """Receipts that no order of this run accounts for."""
    orders = {b.order_id for b in expect.paid + expect.unpaid}
    return tuple(f"receipt for {o}: no order of this run" for o in snap.receipts if o not in orders)


def _seat_misses(expect: Expectation, snap: Snapshot) -> tuple[str, ...]:
    return tuple(
        f"course {course_id}: {snap.seats.get(course_id)} seats, {orders} paid orders"
        for course_id, (orders, _) in expect.sold().items()
        if snap.seats.get(course_id) != orders
    )


def _sales_misses(expect: Expectation, snap: Snapshot) -> tuple[str, ...]:
    return tuple(
        f"course {course_id}: (orders, paise) {snap.sales.get(course_id, (0, 0))} in the "
        f"teacher's totals, {sold} paid"
        for course_id, sold in expect.sold().items()
        if snap.sales.get(course_id, (0, 0)) != sold
    )


def _letter(letter: dict[str, object]) -> str:
    return (
        f"{letter['service']}: {letter['event_type']} {letter['event_id']} after "
        f"{letter['attempts']} attempts: {letter['error']} (data {letter['data']})"
    )


@dataclass
class Verdict:
    checks: list[Check]
    """From the last observation."""
    snapshot: Snapshot | None
    first_pass: float | None
    """Monotonic time of the first observation in which every check held."""
    timeline: list[dict[str, Any]]
    """Per observation: seconds after the last fault, how long its reads took, the misses of
    each failing check, and the backlog."""
    relapses: list[str]
    """Checks that failed again after the first pass: state that changed once converged."""
    read_errors: list[str]


def converge(
    observer: Observer,
    expect: Expectation,
    runs: list[OrderRun],
    last_fault: float,
    deadline_s: float,
    settle_s: float,
) -> Verdict:
    """Observe until every check holds, then `settle_s` longer (late duplicates must show);
    give up `deadline_s` after the last fault (monotonic) if they never all hold."""
    verdict = Verdict([], None, None, [], [], [])
    while True:
        began = time.monotonic()
        try:
            snap = observer.snapshot(runs)
        except (requests.RequestException, BotoCoreError, ClientError, RedisError) as error:
            at = round(time.monotonic() - last_fault, 1)
            verdict.read_errors.append(f"{at:+}s: {type(error).__name__}: {error}")
        else:
            verdict.snapshot, verdict.checks = snap, checks(expect, snap)
            failing = {c.name: len(c.misses) for c in verdict.checks if not c.passed}
            at = round(snap.taken_at - last_fault, 1)
            verdict.timeline.append(
                {
                    "after_last_fault_s": at,
                    "read_s": round(snap.taken_at - began, 1),
                    "failing": failing,
                    "backlog": snap.backlog,
                }
            )
            if verdict.first_pass is None and not failing:
                verdict.first_pass = snap.taken_at
            elif verdict.first_pass is not None and failing:
                verdict.relapses.append(f"{at:+}s: {', '.join(failing)}")
        now = time.monotonic()
        settled = verdict.first_pass is not None and now >= verdict.first_pass + settle_s
        if settled or (verdict.first_pass is None and now >= last_fault + deadline_s):
            return verdict
        time.sleep(AUDIT_EVERY_SECONDS)
