"""The cost harness on the test stack: one purchase and a cached listing page, attributed."""

from __future__ import annotations

from typing import Any

import pytest

from bench.cost import Meter, Snapshot, counts
from bench.units import get, purchase, queues_empty
from bench.webhooks import Shop
from devstack.stack import Stack


def test_a_purchase_and_a_cached_listing_page_are_metered_by_service(stack: Stack) -> None:
    urls = stack.urls
    shop = Shop(
        urls["gateway"], urls["standins"], urls["enrollment"], stack.env["CASHFREE_CLIENT_SECRET"]
    )
    course_id = shop.course()
    settle = queues_empty(stack.env["REDIS_URL"])
    settle()
    meter = Meter(stack)
    meter.calibrate(seconds=1)

    bought = meter.measure_unit("purchase", 1, purchase(shop, course_id), settle)
    assert {"billing", "enrollment", "notifications"} <= set(bought.dynamodb)
    assert all(sum(ops.values()) > 0 for ops in bought.dynamodb.values())
    assert bought.dynamodb["billing"].get("TransactWriteItems", 0) > 0
    assert {"billing-web", "enrollment-worker"} <= set(bought.dynamodb_by_process)
    assert bought.cpu_ms["billing-web"] > 0 and bought.cpu_ms_ours > 0
    assert bought.cpu_ms_emulator > 0 and bought.dynamodb_requests > 0

    listing = get(shop, f"{urls['gateway']}/courses")
    listing(0)  # now cached
    # enough pages that each process's share spans several of the kernel's 10 ms CPU ticks
    page = meter.measure_unit("listing_page_cached", 60, listing)
    assert "catalog-web" not in page.dynamodb_by_process
    # the gateway's edge cache answers most of them: the catalog sees one every 0.25 s at most
    assert page.cpu_ms["gateway-web"] > 0
    assert page.cpu_ms.get("catalog-web", 0.0) < page.cpu_ms["gateway-web"]
    assert page.p50_ms > 0


class ScriptedMeter(Meter):
    """Snapshots from a script instead of a stack: CPU seconds and DynamoDB counts so far."""

    def __init__(self, script: list[Snapshot]) -> None:
        self.script = iter(script)

    def snapshot(self) -> Snapshot:
        return next(self.script)


def test_idle_leaves_out_each_groups_busiest_window(monkeypatch: Any) -> None:
    """A window that catches the tail of earlier work is not what the group spends idle; the
    other windows together are (any one alone reads 0 or a 10 ms tick)."""
    monkeypatch.setattr("bench.cost.time.sleep", lambda _: None)
    key = ("billing-web", "billing", "Query")

    def at(t: float, catalog: float, billing: float, requests: int) -> Snapshot:
        return Snapshot(
            t, {"catalog-web": catalog, "billing-web": billing}, counts({key: requests})
        )

    script = [
        at(0, 0.0, 0.0, 0),
        at(0, 0.0, 0.0, 1),  # the scrape's own request
        at(5, 0.100, 0.010, 17),  # the catalog still busy with what came before
        at(10, 0.110, 0.030, 33),
        at(15, 0.110, 0.090, 74),  # the billing web and DynamoDB busy
        at(20, 0.130, 0.105, 90),
    ]
    meter = ScriptedMeter(script)
    meter.calibrate(seconds=5, windows=4)
    assert meter.idle_cpu == {
        "catalog-web": pytest.approx(0.002),
        "billing-web": pytest.approx(0.003),
    }
    assert meter.scrape_dynamodb[key] == 1
    # 15, 15, 40 and 15 requests besides each window's scrape
    assert meter.idle_dynamodb[key] == pytest.approx(3.0)
