"""The cost harness on the test stack: one purchase and a cached listing page, attributed."""

from __future__ import annotations

from bench.cost import Meter
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
    meter.calibrate(seconds=2)

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
