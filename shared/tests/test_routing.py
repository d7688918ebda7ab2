"""Routing tables: a handler only ever gets the contract its route names, one per event type."""

from __future__ import annotations

from functools import partial

import pytest

from shared.events.contracts import (
    CourseArchived,
    CoursePublished,
    PaymentSucceeded,
    RefundSucceeded,
)
from shared.events.envelope import Envelope
from shared.messaging.routing import DuplicateRoute, MisroutedHandler, on, routes
from shared.messaging.unit_of_work import UnitOfWork


def paid(event: PaymentSucceeded, envelope: Envelope, uow: UnitOfWork, *, note: str) -> None:
    """A handler for one contract, bound like the services bind theirs."""


def course_changed(
    event: CoursePublished | CourseArchived, envelope: Envelope, uow: UnitOfWork
) -> None:
    """A handler for a union of contracts."""


def test_a_table_keys_each_handler_by_its_contract_s_event_type() -> None:
    handler = partial(paid, note="x")
    table = routes(on(PaymentSucceeded, handler), [on(CoursePublished, course_changed)])
    assert table == {
        PaymentSucceeded.EVENT_TYPE: handler,
        CoursePublished.EVENT_TYPE: course_changed,
    }


def test_a_handler_routed_another_contract_is_refused_when_the_table_is_built() -> None:
    with pytest.raises(MisroutedHandler, match="paid does not take RefundSucceeded"):
        on(RefundSucceeded, partial(paid, note="x"))


def test_a_union_handler_takes_each_of_its_contracts_and_nothing_else() -> None:
    on(CourseArchived, course_changed)
    with pytest.raises(MisroutedHandler):
        on(PaymentSucceeded, course_changed)  # type: ignore[arg-type]


def test_two_handlers_for_one_event_type_are_refused() -> None:
    with pytest.raises(DuplicateRoute, match=PaymentSucceeded.EVENT_TYPE):
        routes(
            on(PaymentSucceeded, partial(paid, note="a")),
            on(PaymentSucceeded, partial(paid, note="b")),
        )
