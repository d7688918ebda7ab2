"""Wires billing's adapters; the only place that knows the concrete classes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from billing.adapters.cashfree import CashfreeClient
from billing.adapters.catalog_client import CatalogClient
from billing.adapters.enrollment_client import EnrollmentClient
from billing.adapters.repository import OrderRepository
from shared.clerk import ClerkClient
from shared.config import Settings
from shared.messaging.consumer import EventHandler
from shared.readmodels.course_cards import CourseCards, course_card_handlers
from shared.runtime import Runtime


@dataclass
class Billing:
    settings: Settings
    runtime: Runtime
    orders: OrderRepository
    cashfree: CashfreeClient
    catalog: CatalogClient
    enrollment: EnrollmentClient
    clerk: ClerkClient


def build(settings: Settings) -> Billing:
    runtime = Runtime(settings)
    return Billing(
        settings=settings,
        runtime=runtime,
        orders=OrderRepository(runtime.dynamodb, runtime.table),
        cashfree=CashfreeClient(settings.cashfree),
        catalog=CatalogClient(settings.service_url("catalog"), settings.internal_api_token),
        enrollment=EnrollmentClient(
            settings.service_url("enrollment"), settings.internal_api_token
        ),
        clerk=ClerkClient(settings.clerk),
    )


def event_handlers(runtime: Runtime) -> Mapping[str, EventHandler]:
    """Billing keeps course cards (teacher, title, price) for sales reports."""
    routing: Mapping[str, EventHandler] = course_card_handlers(
        CourseCards(runtime.dynamodb, runtime.table)
    )
    return routing
