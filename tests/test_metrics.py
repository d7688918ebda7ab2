"""Prometheus metrics of the running stack move with a purchase, and JSON logs follow it.

Web processes serve GET /metrics (their gunicorn workers' counts merged); workers and relays
serve theirs on a port of their own (`stack_urls["<svc>-worker-metrics"]`)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import requests
from prometheus_client.parser import text_string_to_metric_families

from devstack.stack import Stack
from shared.events.contracts import EnrollmentCreated, PaymentSucceeded
from tests.helpers import Api, User, eventually

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
REQUESTS = "prolearn_http_requests_total"
LATENCY_COUNT = "prolearn_http_request_duration_seconds_count"
PUBLISHED = "prolearn_events_published_total"
CONSUMED = "prolearn_events_consumed_total"
CREATE_ORDER = "/api/payments/create-order"


def scrape(url: str) -> Samples:
    response = requests.get(url, timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/plain")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


class Scrapes:
    """The stack's metrics endpoints, scraped before and after something happens."""

    ENDPOINTS = ("gateway", "billing", "enrollment")
    PROCESSES = ("enrollment-worker", "billing-relay", "billing-worker")

    def __init__(self, urls: dict[str, str]) -> None:
        self.urls = {name: f"{urls[name]}/metrics" for name in self.ENDPOINTS}
        self.urls.update({name: urls[f"{name}-metrics"] for name in self.PROCESSES})

    def take(self) -> dict[str, Samples]:
        return {name: scrape(url) for name, url in self.urls.items()}


def purchase(api: Api) -> tuple[User, str, str]:
    """Flow 2: a student buys a published course and is enrolled."""
    teacher = api.onboard("teacher")
    course = api.published_course(teacher)
    student = api.onboard("student")
    order = api.create_order(student, course["courseId"])
    assert api.pay(order["order_id"])["delivered"] == 200
    assert eventually(lambda: api.order_status(student, order["order_id"]) == "SUCCESS")
    assert eventually(lambda: api.enrolled_courses(student))
    return student, course["courseId"], order["order_id"]


def test_metrics_endpoints_show_the_purchase_moving_the_counters(
    api: Api, stack_urls: dict[str, str]
) -> None:
    scrapes = Scrapes(stack_urls)
    before = scrapes.take()

    purchase(api)

    def moved(name: str, metric: str, **labels: str) -> Callable[[], float]:
        return lambda: (
            value(scrapes.take()[name], metric, **labels) - value(before[name], metric, **labels)
        )

    create_order = {"method": "POST", "route": CREATE_ORDER, "status": "200"}
    assert moved("gateway", REQUESTS, service="gateway", **create_order)() >= 1
    assert moved("billing", REQUESTS, service="billing", **create_order)() >= 1
    assert (
        moved("gateway", LATENCY_COUNT, service="gateway", method="POST", route=CREATE_ORDER)() >= 1
    )
    enrolled = "/users/course-progress/<userId>/enrolled-courses"
    assert moved("gateway", REQUESTS, service="gateway", method="GET", route=enrolled,
                 status="200")() >= 1  # fmt: skip

    paid = {"service": "billing", "event_type": PaymentSucceeded.EVENT_TYPE}
    assert eventually(
        lambda: (
            moved("billing", PUBLISHED, **paid)() + moved("billing-relay", PUBLISHED, **paid)() >= 1
        )
    ), "billing published the payment (at once from the webhook, or through its relay)"
    handled = {**paid, "service": "enrollment", "outcome": "handled"}
    assert eventually(lambda: moved("enrollment-worker", CONSUMED, **handled)() >= 1)
    created = {"service": "enrollment", "event_type": EnrollmentCreated.EVENT_TYPE}
    assert eventually(lambda: moved("enrollment-worker", PUBLISHED, **created)() >= 1)

    after = scrapes.take()
    for service in ("billing", "enrollment"):
        lag = after[service].get(
            ("prolearn_outbox_pending_oldest_age_seconds", frozenset({("service", service)}))
        )
        depth = after[service].get(
            ("prolearn_queue_depth", frozenset({("queue", f"{service}.events")}))
        )
        assert lag is not None and not math.isnan(lag) and lag >= 0, (service, lag)
        assert depth is not None and not math.isnan(depth) and depth >= 0, (service, depth)
    assert not any(name.startswith("prolearn_outbox") for name, _ in after["gateway"])
    assert any(name == "prolearn_events_dead_lettered_total" for name, _ in after["billing-worker"])
    assert any(name == "process_cpu_seconds_total" for name, _ in after["billing-relay"])


def log_lines(stack: Stack, process: str) -> Iterator[dict[str, Any]]:
    path: Path = stack.processes.log_path(process)
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            try:
                yield json.loads(line)
            except ValueError:
                continue


def lines_with(stack: Stack, process: str, **fields: Any) -> list[dict[str, Any]]:
    return [
        line
        for line in log_lines(stack, process)
        if all(line.get(k) == v for k, v in fields.items())
    ]


def test_one_webhook_is_followed_by_its_correlation_id_through_every_log(
    api: Api, stack: Stack
) -> None:
    """Cashfree's webhook gets a request id at the gateway; billing's commit, the enrollment
    worker and the catalog worker (two events on) all log under it."""
    _, _, order_id = purchase(api)

    [published] = eventually(
        lambda: lines_with(
            stack,
            "billing",
            message="event published",
            event_type=PaymentSucceeded.EVENT_TYPE,
            aggregate_id=order_id,
        )
    )
    correlation_id = published["correlation_id"]
    assert correlation_id and published["event_id"]

    at_the_edge = lines_with(stack, "gateway", message="request", correlation_id=correlation_id)
    assert [(line["method"], line["route"], line["status"]) for line in at_the_edge] == [
        ("POST", "/api/payments/webhook", 200)
    ]
    assert lines_with(
        stack, "billing", message="request", route="/api/payments/webhook",
        correlation_id=correlation_id,
    )  # fmt: skip
    [consumed] = eventually(
        lambda: lines_with(
            stack,
            "enrollment-worker",
            message="event consumed",
            correlation_id=correlation_id,
            event_type=PaymentSucceeded.EVENT_TYPE,
        )
    )
    assert (consumed["event_id"], consumed["outcome"]) == (published["event_id"], "handled")
    [raised] = eventually(
        lambda: lines_with(
            stack,
            "enrollment-worker",
            message="event published",
            correlation_id=correlation_id,
            event_type=EnrollmentCreated.EVENT_TYPE,
        )
    )
    assert raised["event_id"] != published["event_id"]
    assert eventually(
        lambda: lines_with(
            stack,
            "catalog-worker",
            message="event consumed",
            correlation_id=correlation_id,
            event_id=raised["event_id"],
        )
    )
