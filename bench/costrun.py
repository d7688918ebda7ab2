"""The cost section of `make bench`: every unit of work and its anchor, measured on one stack."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

from bench import units
from bench.chatload import prolearn_chat, socketio_load, socketio_server
from bench.chatrooms import seed_rooms
from bench.cost import Batch, Meter, UnitCost
from bench.webhooks import Shop
from devstack.stack import Stack
from shared.config import load_settings
from shared.dynamo.client import dynamodb_client
from shared.dynamo.codec import serialize


@dataclass(frozen=True)
class Counts:
    """How many of each unit: enough that CPU time's 10 ms tick is small beside the total."""

    purchases: int = 20
    pages: int = 300
    writes: int = 100
    bookings: int = 10
    anchor_requests: int = 500
    chat_rate: int = 250
    chat_seconds: int = 10
    chat_rooms: int = 100


HELLO, FLOOR, SOCKETIO = "hello_bare_flask", "emulator_floor", "socketio_message"
ANCHOR_GROUP = {HELLO: "hello", FLOOR: "emulator", SOCKETIO: "socketio"}
"""Each anchor's figure: the CPU of this process group per request, DynamoDB call or message."""


def floor_op(env: Mapping[str, str]) -> Callable[[int], object]:
    """One GetItem straight at the emulator: the emulator's floor per DynamoDB request."""
    settings = load_settings("catalog", env)
    client = dynamodb_client(settings.aws, service="bench")
    table = settings.table_name()
    key = serialize({"PK": f"BENCH#{uuid.uuid4().hex}", "SK": "x"})
    client.put_item(TableName=table, Item=key)
    return lambda _: client.get_item(TableName=table, Key=key)


def measure_costs(
    stack: Stack, shop: Shop, hello_url: str, counts: Counts = Counts()
) -> dict[str, Any]:
    """The anchors (bare Flask per request, the emulator per GetItem, socket.io per message),
    then every unit, each also as a ratio to its anchor."""
    meter = Meter(stack)
    gateway, settle = stack.urls["gateway"], units.queues_empty(stack.env["REDIS_URL"])
    paid, free = shop.course(), shop.course(price=0)
    student = units.enrolled_student(shop, free)
    listing = units.get(shop, f"{gateway}/courses")
    listing(0)
    settle()  # what setting up sent is handled before idle is measured
    meter.calibrate()
    anchors = [
        meter.measure_unit(HELLO, counts.anchor_requests, units.get(shop, hello_url)),
        meter.measure_unit(FLOOR, counts.anchor_requests, floor_op(stack.env)),
        socketio_anchor(meter, counts),
    ]
    measured = [
        meter.measure_unit("purchase", counts.purchases, units.purchase(shop, paid), settle),
        meter.measure_unit("listing_page_cached", counts.pages, listing),
        meter.measure_unit(
            "course_page", counts.pages, units.get(shop, f"{gateway}/courses/{free}", student.auth)
        ),
        meter.measure_unit(
            "progress_update", counts.writes, units.progress_update(shop, student, free), settle
        ),
        meter.measure_unit(
            "booking", counts.bookings, units.booking(shop, counts.bookings), settle
        ),
    ]
    stack.processes.restart("catalog", env={"CATALOG_CACHE_SECONDS": "0"})
    measured.append(meter.measure_unit("listing_page_uncached", counts.pages, listing))
    stack.processes.restart("catalog", env={})
    measured += [chat_message(meter, stack, shop, persist, counts) for persist in (False, True)]
    stack.processes.restart("chat", env={})
    anchor_ms = {a.unit: a.cpu_ms.get(ANCHOR_GROUP[a.unit], 0.0) for a in anchors}
    return {
        "anchors": {a.unit: asdict(a) for a in anchors},
        "idle_cpu_ms_per_second": {g: round(v * 1000, 1) for g, v in meter.idle_cpu.items()},
        "units": {cost.unit: asdict(with_ratios(cost, anchor_ms)) for cost in measured},
    }


def socketio_anchor(meter: Meter, counts: Counts) -> UnitCost:
    """CPU of socket.io 4's server per message broadcast, under the chat units' load."""
    with socketio_server() as (server, url):
        meter.watched["socketio"] = server.pid
        try:
            return meter.measure_batch(
                SOCKETIO,
                lambda: _batch(
                    socketio_load(
                        url,
                        counts.chat_rate,
                        counts.chat_seconds,
                        counts.chat_rooms * 2,
                        counts.chat_rooms,
                    )
                ),
            )
        finally:
            del meter.watched["socketio"]


def chat_message(meter: Meter, stack: Stack, shop: Shop, persist: bool, counts: Counts) -> UnitCost:
    """One chat message to a two-member room, broadcast only or stored first."""
    stack.processes.restart("chat", env={"CHAT_PERSIST": str(persist).lower()})
    plan = seed_rooms(stack.env, shop, stack.urls["chat"], counts.chat_rooms)
    name = "chat_message_stored" if persist else "chat_message_broadcast_only"
    return meter.measure_batch(
        name, lambda: _batch(prolearn_chat(plan, counts.chat_rate, counts.chat_seconds))
    )


def _batch(figures: Mapping[str, Any]) -> Batch:
    return Batch(int(figures["sent"]), figures["latency_p50_ms"], figures["latency_p99_ms"])


def with_ratios(cost: UnitCost, anchor_ms: Mapping[str, float]) -> UnitCost:
    """The unit's CPU in our processes over its anchor's (a bare Flask request; socket.io's
    message for chat), and the emulator's over its CPU per GetItem."""
    anchor = SOCKETIO if cost.unit.startswith("chat_") else HELLO
    ours, floor = anchor_ms[anchor], anchor_ms[FLOOR]
    ratios = {
        "anchor": anchor,
        "ours_per_anchor": round(cost.cpu_ms_ours / ours, 1) if ours else None,
        "emulator_per_floor_get": round(cost.cpu_ms_emulator / floor, 1) if floor else None,
    }
    return replace(cost, extra={**cost.extra, **ratios})


def table(costs: Mapping[str, Any]) -> str:
    """A short text table: per unit, CPU-ms ours and emulator, DynamoDB requests, the ratio."""
    rows = [
        f"{'unit':<28}{'n':>6}{'CPU-ms ours':>12}{'CPU-ms emu':>11}{'DDB req':>9}"
        f"{'x anchor':>9}{'p50 ms':>8}"
    ]
    for name, unit in costs["anchors"].items():
        ours = unit["cpu_ms"].get(ANCHOR_GROUP[name], 0.0)
        rows.append(_row(name, unit, ours, "anchor"))
    for name, unit in costs["units"].items():
        ratio = unit["extra"]["ours_per_anchor"]
        rows.append(_row(name, unit, unit["cpu_ms_ours"], "" if ratio is None else str(ratio)))
    return "\n".join(rows)


def _row(name: str, unit: Mapping[str, Any], ours: float, ratio: str) -> str:
    return (
        f"{name:<28}{unit['n']:>6}{ours:>12.2f}{unit['cpu_ms_emulator']:>11.2f}"
        f"{unit['dynamodb_requests']:>9.2f}{ratio:>9}{unit['p50_ms']:>8.1f}"
    )
