"""Wires billing: its adapters, and each handler bound to the adapters it needs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

from billing import handlers
from billing.adapters.cashfree import CashfreeClient
from billing.adapters.catalog_client import CatalogClient
from billing.adapters.enrollment_client import EnrollmentClient
from billing.adapters.repository import OrderRepository
from billing.commands import (
    CreateOrder,
    ReceiveWebhook,
    ReconcileDue,
    ReconcileOrder,
    RequestRefund,
    ShowOrderStatus,
)
from billing.domain.model import Order
from billing.ledger import Ledger
from billing.reconciler import Sweep
from billing.schedule import ReconcileSchedule
from shared.api.payments import CreatedOrder
from shared.clerk import ClerkClient
from shared.config import Settings
from shared.messaging.routing import EventHandler, routes
from shared.readmodels.course_cards import CourseCards, course_card_routes
from shared.runtime import Runtime


@dataclass(frozen=True)
class Billing:
    """Billing, wired: the adapters the web and the operator read through, and the handlers."""

    runtime: Runtime
    orders: OrderRepository
    create_order: Callable[[CreateOrder], CreatedOrder]
    show_order_status: Callable[[ShowOrderStatus], Order]
    request_refund: Callable[[RequestRefund], handlers.RefundRequested]
    receive_webhook: Callable[[ReceiveWebhook], str]
    reconcile_due: Callable[[ReconcileDue], Sweep]
    reconcile_order: Callable[[ReconcileOrder], Order]
    on_event: Mapping[str, EventHandler]
    """What the worker runs for each event type it receives: course cards (teacher, title,
    price) for sales reports."""

    @property
    def settings(self) -> Settings:
        return self.runtime.settings


def build(runtime: Runtime) -> Billing:
    settings = runtime.settings
    ledger = Ledger(
        orders=OrderRepository(runtime.dynamodb, runtime.table),
        unit_of_work=runtime.unit_of_work,
        cashfree=CashfreeClient(settings.cashfree),
        schedule=ReconcileSchedule.of(settings.billing),
    )
    catalog = CatalogClient(settings.service_url("catalog"), settings.internal_api_token)
    enrollment = EnrollmentClient(settings.service_url("enrollment"), settings.internal_api_token)
    return Billing(
        runtime=runtime,
        orders=ledger.orders,
        create_order=partial(
            handlers.create_order,
            ledger=ledger,
            catalog=catalog,
            clerk=ClerkClient(settings.clerk),
            return_url=settings.cashfree.return_url,
            placeholder_phone=settings.cashfree.placeholder_phone,
        ),
        show_order_status=partial(handlers.show_order_status, ledger=ledger),
        request_refund=partial(
            handlers.request_refund,
            ledger=ledger,
            enrollment=enrollment,
            catalog=catalog,
            refund_window_days=settings.billing.refund_window_days,
            refund_max_progress_percent=settings.billing.refund_max_progress_percent,
        ),
        receive_webhook=partial(
            handlers.receive_webhook, ledger=ledger, secret=settings.cashfree.client_secret
        ),
        reconcile_due=partial(handlers.reconcile_due, ledger=ledger),
        reconcile_order=partial(handlers.reconcile_order, ledger=ledger),
        on_event=routes(course_card_routes(CourseCards(runtime.dynamodb, runtime.table))),
    )


def event_handlers(runtime: Runtime) -> Mapping[str, EventHandler]:
    """The worker's routing, bound to the worker's own runtime."""
    return build(runtime).on_event
