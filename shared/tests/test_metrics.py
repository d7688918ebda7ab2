"""Metrics: requests labelled by route, event counters, scrape-time gauges that survive outages."""

from __future__ import annotations

import base64
import json
import logging
import math
import os
import socket
import subprocess
import sys
import textwrap
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Blueprint, Flask, jsonify
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from shared.clock import iso_ago
from shared.config import Settings, load_settings
from shared.context import bound, correlation_id_var, event_id_var
from shared.dynamo.codec import serialize
from shared.events.contracts import PaymentSucceeded
from shared.events.envelope import wrap
from shared.events.subscriptions import queue_name
from shared.messaging.consumer import Consumer
from shared.messaging.outbox import outbox_item
from shared.messaging.relay import sweep
from shared.messaging.unit_of_work import UnitOfWork
from shared.metrics.http import duration_histogram, requests_counter
from shared.metrics.instruments import HTTP_DURATION, HTTP_REQUESTS
from shared.metrics.state import OutboxLag, QueueDepth
from shared.runtime import Runtime
from shared.web.app import build_app

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(text: str) -> Samples:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def sample(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


def counted(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def things_app(service: str, state: Any = ()) -> Flask:
    bp = Blueprint("things", __name__)

    @bp.get("/things/<thing_id>")
    def thing(thing_id: str) -> Any:
        return jsonify({"id": thing_id})

    @bp.post("/things/<thing_id>/explode")
    def explode(thing_id: str) -> Any:
        raise RuntimeError(thing_id)

    settings = load_settings(service, {})
    return build_app(settings, [bp], {}, state)


def payment(order_id: str = "o1") -> PaymentSucceeded:
    return PaymentSucceeded(
        order_id=order_id,
        user_id="u1",
        course_id="c1",
        amount=49900,
        currency="INR",
        provider_payment_id="cf1",
        paid_at="2026-01-01T00:00:00Z",
    )


def test_requests_are_labelled_by_the_matched_rule_never_the_raw_path() -> None:
    service = f"svc{uuid.uuid4().hex[:8]}"
    client = things_app(service).test_client()

    for thing_id in ("xq1", "yq2", "zq3"):  # no hex digits: never in the service name
        assert client.get(f"/things/{thing_id}").status_code == 200
    assert client.post("/things/xq1/explode").status_code == 500
    assert client.get("/no/such/path").status_code == 404
    assert client.delete("/things/xq1").status_code == 405
    samples = scrape(client.get("/metrics").get_data(as_text=True))

    requests = "prolearn_http_requests_total"
    rule = "/things/<thing_id>"
    assert sample(samples, requests, service=service, method="GET", route=rule, status="200") == 3
    explode = "/things/<thing_id>/explode"
    assert sample(samples, requests, service=service, method="POST", route=explode, status="500")
    assert sample(samples, requests, service=service, method="GET", route="unmatched", status="404")
    assert sample(
        samples, requests, service=service, method="DELETE", route="unmatched", status="405"
    )
    ours = [labels for (_, labels) in samples if ("service", service) in labels]
    assert ours and not any("xq1" in value for labels in ours for _, value in labels)
    latency = "prolearn_http_request_duration_seconds_count"
    assert sample(samples, latency, service=service, method="GET", route=rule) == 3


def test_the_metrics_endpoint_counts_itself_under_its_route() -> None:
    service = f"svc{uuid.uuid4().hex[:8]}"
    client = things_app(service).test_client()
    client.get("/metrics")

    response = client.get("/metrics")

    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    samples = scrape(response.get_data(as_text=True))
    labels = {"service": service, "method": "GET", "route": "/metrics", "status": "200"}
    assert sample(samples, "prolearn_http_requests_total", **labels) == 1


def test_behind_the_edge_only_direct_scrapes_see_the_metrics() -> None:
    bp = Blueprint("nothing", __name__)
    settings = load_settings("gateway", {"TRUSTED_PROXY_COUNT": "1"})
    client = build_app(settings, [bp], {}).test_client()
    assert client.get("/metrics").status_code == 200, "Prometheus scraping the pod"
    public = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert public.status_code == 404, "a request that came through the ingress"


def test_an_unknown_method_does_not_mint_a_series() -> None:
    service = f"svc{uuid.uuid4().hex[:8]}"
    client = things_app(service).test_client()

    client.open("/things/a1", method="BREW")

    labels = {"service": service, "method": "other", "route": "unmatched", "status": "405"}
    assert counted("prolearn_http_requests_total", **labels) == 1


def test_each_label_set_keeps_counting_into_its_own_series() -> None:
    service = f"svc{uuid.uuid4().hex[:8]}"
    client = things_app(service).test_client()
    rule = "/things/<thing_id>"

    for path in ("/things/xq1", "/things/x.q", "/things/yq2", "/things/x.q", "/things/zq3"):
        client.get(path)  # x.q is a malformed id: 404 under the same rule

    ok = {"service": service, "method": "GET", "route": rule, "status": "200"}
    assert counted("prolearn_http_requests_total", **ok) == 3
    assert counted("prolearn_http_requests_total", **{**ok, "status": "404"}) == 2
    latency = {"service": service, "method": "GET", "route": rule}
    assert counted("prolearn_http_request_duration_seconds_count", **latency) == 5
    assert requests_counter(service, "GET", rule, 200) is HTTP_REQUESTS.labels(*ok.values())
    assert duration_histogram(service, "GET", rule) is HTTP_DURATION.labels(*latency.values())


class _BoundIds(logging.Handler):
    """Records the correlation and event ids in force when each line is logged."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.seen: list[tuple[str, str | None, str | None]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append((record.getMessage(), correlation_id_var.get(), event_id_var.get()))


def test_the_access_log_carries_route_status_and_the_request_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = things_app(f"svc{uuid.uuid4().hex[:8]}").test_client()
    ids = _BoundIds()
    logging.getLogger("shared.web.access").addHandler(ids)
    try:
        with caplog.at_level("INFO", logger="shared.web.access"):
            client.get("/things/a1", headers={"X-Request-Id": "req-0123456789"})
    finally:
        logging.getLogger("shared.web.access").removeHandler(ids)

    [line] = [r for r in caplog.records if r.name == "shared.web.access"]
    assert (line.route, line.path, line.status) == ("/things/<thing_id>", "/things/a1", 200)
    assert ids.seen == [("request", "req-0123456789", None)]


class _Down:
    """A client whose every call fails, as boto3 or redis-py does when the server is gone."""

    def __getattr__(self, name: str) -> Any:
        raise ConnectionError(f"{name}: connection refused")


def _closed_redis() -> redis.Redis:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return redis.Redis(port=port, socket_connect_timeout=0.2, socket_timeout=0.2)


def test_gauges_read_nan_when_redis_or_dynamodb_is_down_and_the_scrape_still_answers() -> None:
    service = f"svc{uuid.uuid4().hex[:8]}"
    state = [OutboxLag(service, _Down, "no-table"), QueueDepth("x.events", _closed_redis)]
    client = things_app(service, state).test_client()

    response = client.get("/metrics")

    assert response.status_code == 200
    samples = scrape(response.get_data(as_text=True))
    age = sample(samples, "prolearn_outbox_pending_oldest_age_seconds", service=service)
    depth = sample(samples, "prolearn_queue_depth", queue="x.events")
    assert age is not None and math.isnan(age)
    assert depth is not None and math.isnan(depth)


def test_queue_depth_counts_what_kombu_counts(runtime: Runtime, broker: redis.Redis) -> None:
    queue = queue_name("enrollment")
    for order_id in ("o1", "o2"):
        runtime.publisher.publish(wrap(payment(order_id), "billing"))
    broker.lpush(f"{queue}\x06\x166", "{}")  # a message at a higher priority lives apart

    [gauge] = QueueDepth(queue, lambda: broker).collect()

    with runtime.publisher._app.connection_for_write() as connection:  # kombu's own count
        _, expected, _ = connection.default_channel.queue_declare(queue, passive=True)
    assert gauge.samples[0].value == expected == 3


def test_outbox_lag_is_the_age_of_the_oldest_pending_item(runtime: Runtime) -> None:
    lag = OutboxLag("enrollment", lambda: runtime.dynamodb, runtime.table)
    [gauge] = lag.collect()
    assert gauge.samples[0].value == 0, "nothing pending"

    old = replace(wrap(payment(), "enrollment"), occurred_at=iso_ago(120))
    runtime.dynamodb.put_item(TableName=runtime.table, Item=serialize(outbox_item(old)))
    uow = UnitOfWork(runtime.dynamodb, runtime.table, "enrollment", None)
    uow.raise_event(payment("o2"))
    uow.commit()

    [gauge] = lag.collect()
    assert 119 <= gauge.samples[0].value < 130


def test_publishing_and_consuming_are_counted_by_type_and_outcome(
    runtime: Runtime, broker: redis.Redis
) -> None:
    kind = PaymentSucceeded.EVENT_TYPE
    published = {"service": "billing", "event_type": kind}
    handled = {"service": "enrollment", "event_type": kind, "outcome": "handled"}
    duplicate = {**handled, "outcome": "duplicate"}
    before = [
        counted("prolearn_events_published_total", **published),
        counted("prolearn_events_consumed_total", **handled),
        counted("prolearn_events_consumed_total", **duplicate),
    ]
    consumer = Consumer(runtime, {kind: lambda *_: None})
    envelope = wrap(payment(), "billing")

    runtime.publisher.publish(envelope)
    consumer.consume(envelope)
    consumer.consume(envelope)

    after = [
        counted("prolearn_events_published_total", **published),
        counted("prolearn_events_consumed_total", **handled),
        counted("prolearn_events_consumed_total", **duplicate),
    ]
    assert [a - b for a, b in zip(after, before, strict=True)] == [1, 1, 1]


def test_dead_letters_are_counted_and_a_malformed_type_stays_unknown(runtime: Runtime) -> None:
    consumer = Consumer(runtime, {})
    known = {"service": "enrollment", "event_type": PaymentSucceeded.EVENT_TYPE}
    unknown = {"service": "enrollment", "event_type": "unknown"}
    before = [
        counted("prolearn_events_dead_lettered_total", **known),
        counted("prolearn_events_dead_lettered_total", **unknown),
    ]

    consumer.dead_letter(wrap(payment(), "billing").to_dict(), "boom", 7)
    consumer.dead_letter({"event_type": f"made.up.{uuid.uuid4().hex}"}, "bad", 1)

    after = [
        counted("prolearn_events_dead_lettered_total", **known),
        counted("prolearn_events_dead_lettered_total", **unknown),
    ]
    assert [a - b for a, b in zip(after, before, strict=True)] == [1, 1]
    assert len(consumer.dead_letters.list()) == 2


def test_a_consumer_declares_its_series_at_zero(runtime: Runtime) -> None:
    settings: Settings = replace(runtime.settings, service=f"svc{uuid.uuid4().hex[:8]}")
    consumer = Consumer(Runtime(settings), {PaymentSucceeded.EVENT_TYPE: lambda *_: None})

    consumer.declare_metrics()

    labels = {"service": settings.service, "event_type": PaymentSucceeded.EVENT_TYPE}
    assert REGISTRY.get_sample_value("prolearn_events_dead_lettered_total", labels) == 0
    assert REGISTRY.get_sample_value("prolearn_events_failed_total", labels) == 0
    handled = {**labels, "outcome": "handled"}
    assert REGISTRY.get_sample_value("prolearn_events_consumed_total", handled) == 0


def test_the_relay_publishes_under_the_correlation_id_of_the_request_that_committed(
    runtime: Runtime, broker: redis.Redis
) -> None:
    with bound("req-relayed-0001"):
        uow = UnitOfWork(runtime.dynamodb, runtime.table, "billing", None)  # no fast path
        envelope = uow.raise_event(payment())
        uow.commit()
    ids = _BoundIds()
    logger = logging.getLogger("shared.messaging.publisher")
    logger.addHandler(ids)
    logger.setLevel(logging.INFO)
    try:
        assert sweep(runtime.dispatcher, runtime.publisher, grace_seconds=0) == 1
    finally:
        logger.removeHandler(ids)
        logger.setLevel(logging.NOTSET)

    assert ("event published", "req-relayed-0001", envelope.event_id) in ids.seen
    assert correlation_id_var.get() is None
    [queued] = broker.lrange(queue_name("enrollment"), 0, -1)
    [sent], _kwargs, _embed = json.loads(base64.b64decode(json.loads(queued)["body"]))
    assert sent["correlation_id"] == "req-relayed-0001"


MULTIPROCESS_SCRIPT = textwrap.dedent(
    """
    import os, sys
    from shared.metrics.exposition import render, reset_multiprocess_dir
    if sys.argv[1] == "reset":
        reset_multiprocess_dir()
    elif sys.argv[1] == "count":
        from shared.metrics.instruments import HTTP_REQUESTS
        HTTP_REQUESTS.labels("mp", "GET", "/r", "200").inc(int(sys.argv[2]))
    else:
        sys.stdout.write(render()[0].decode())
    """
)


def test_counts_of_every_process_in_a_group_add_up_and_a_restart_starts_afresh(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "mp")}

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", MULTIPROCESS_SCRIPT, *args],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return done.stdout

    def total() -> float | None:
        labels = {"service": "mp", "method": "GET", "route": "/r", "status": "200"}
        return sample(scrape(run("render")), "prolearn_http_requests_total", **labels)

    run("reset")
    run("count", "2")
    run("count", "3")  # another process, already gone: its count stays
    assert total() == 5
    run("reset")
    assert total() is None
