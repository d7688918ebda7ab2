"""A seeded, deterministic plan: what each order does, and which process dies when."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from enum import StrEnum

from devstack.commands import producers
from shared.config import SERVICE_PORTS

DUPLICATE_SHARE, REORDER_SHARE, FORGED_SHARE = 0.30, 0.10, 0.05
ORDERS_PER_COURSE = 20
MAX_TEACHERS = 5
MAX_DUPLICATES = 3
FORGERIES = ("bad_signature", "tampered_amount", "tampered_order")
GUNICORN_SERVICES = ("gateway", "billing", "enrollment")
CELERY_SERVICES = ("enrollment", "catalog", "notifications")
DOWN_SECONDS = (1.0, 3.0)
"""How long a killed process stays down before the orchestrator starts it again."""
FAULT_WINDOW = (0.1, 0.85)
"""Faults strike between these shares of the load, evenly spaced."""


class FaultKind(StrEnum):
    GUNICORN_WORKER = "gunicorn_worker"
    POOL_CHILD = "pool_child"
    WHOLE_WORKER = "whole_worker"
    RELAY = "relay"
    REDIS = "redis"

    @property
    def restarts(self) -> bool:
        """True when the harness restarts the process; gunicorn and Celery respawn children."""
        return self not in (FaultKind.GUNICORN_WORKER, FaultKind.POOL_CHILD)


TARGETS = {
    FaultKind.GUNICORN_WORKER: GUNICORN_SERVICES,
    FaultKind.POOL_CHILD: tuple(f"{s}-worker" for s in CELERY_SERVICES),
    FaultKind.WHOLE_WORKER: tuple(f"{s}-worker" for s in CELERY_SERVICES),
    FaultKind.RELAY: tuple(f"{s}-relay" for s in producers(SERVICE_PORTS)),
}
"""The processes each kind of fault strikes (names in the stack's process group)."""
ON_ORDER_PATH = {
    **TARGETS,
    FaultKind.RELAY: tuple(f"{s}-relay" for s in ("billing", "enrollment", "notifications")),
}
"""With one fault per kind, its target is picked among these: the ones a paid order needs."""


@dataclass(frozen=True)
class PlannedOrder:
    index: int
    at: float
    """Seconds after the load starts."""
    course: int
    duplicates: int
    """Extra deliveries of the order's signed SUCCESS webhook."""
    late_failed: bool
    """A FAILED payment attempt (and its webhook) right after the SUCCESS."""
    forgery: str | None
    """Set for an order never paid: it gets one forged or tampered SUCCESS webhook instead."""

    @property
    def paid(self) -> bool:
        return self.forgery is None


@dataclass(frozen=True)
class PlannedFault:
    at: float
    """Seconds after the load starts."""
    after_orders: int
    """Orders begun by then, at the planned rate: a load that lags holds the fault back."""
    kind: FaultKind
    target: str
    down_for: float
    """Seconds between the SIGKILL and the restart (0 when the process respawns its own)."""


@dataclass(frozen=True)
class Plan:
    seed: int
    rate: float
    orders: tuple[PlannedOrder, ...]
    faults: tuple[PlannedFault, ...]
    courses: int
    teachers: int

    @property
    def window(self) -> float:
        """Seconds the load lasts at the planned rate."""
        return len(self.orders) / self.rate


def make_plan(
    orders: int, rate: float, seed: int, *, every_target: bool = True, redis_kills: int = 2
) -> Plan:
    """`every_target`: each target of each kind once; otherwise one target per kind."""
    rng = random.Random(seed)
    courses = max(1, math.ceil(orders / ORDERS_PER_COURSE))
    forged = set(rng.sample(range(orders), round(orders * FORGED_SHARE)))
    paid = [i for i in range(orders) if i not in forged]
    duplicated = set(rng.sample(paid, min(len(paid), round(orders * DUPLICATE_SHARE))))
    reordered = set(rng.sample(paid, min(len(paid), round(orders * REORDER_SHARE))))
    planned = tuple(
        PlannedOrder(
            index=i,
            at=i / rate,
            course=i % courses,
            duplicates=rng.randint(1, MAX_DUPLICATES) if i in duplicated else 0,
            late_failed=i in reordered,
            forgery=rng.choice(FORGERIES) if i in forged else None,
        )
        for i in range(orders)
    )
    return Plan(
        seed=seed,
        rate=rate,
        orders=planned,
        faults=_faults(rng, rate, orders / rate, every_target, redis_kills),
        courses=courses,
        teachers=min(MAX_TEACHERS, courses),
    )


def _faults(
    rng: random.Random, rate: float, window: float, every_target: bool, redis_kills: int
) -> tuple[PlannedFault, ...]:
    strikes = [
        (kind, target)
        for kind, targets in TARGETS.items()
        for target in (targets if every_target else (rng.choice(ON_ORDER_PATH[kind]),))
    ]
    strikes += [(FaultKind.REDIS, "redis")] * redis_kills
    rng.shuffle(strikes)
    first, last = (share * window for share in FAULT_WINDOW)
    step = (last - first) / max(1, len(strikes) - 1)
    return tuple(
        PlannedFault(
            at=round(first + i * step, 2),
            after_orders=int((first + i * step) * rate),
            kind=kind,
            target=target,
            down_for=round(rng.uniform(*DOWN_SECONDS), 2) if kind.restarts else 0.0,
        )
        for i, (kind, target) in enumerate(strikes)
    )
