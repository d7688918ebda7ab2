"""The Grafana dashboard queries only metrics (and labels) the services really export."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from prometheus_client.metrics import MetricWrapperBase

from shared.metrics import instruments
from shared.metrics.state import OutboxLag, QueueDepth

DASHBOARD = Path(__file__).parents[2] / "deploy" / "grafana" / "prolearn-dashboard.json"
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}
SELECTOR = re.compile(r"\b(prolearn_[a-z0-9_]+)\s*(\{[^}]*\})?")
LABEL = re.compile(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)")


class _Unreachable:
    def __getattr__(self, name: str) -> Any:
        raise ConnectionError(name)


def exported() -> dict[str, frozenset[str]]:
    """Every sample name the services can export, with its label names."""
    names: dict[str, frozenset[str]] = {}

    def add(family: str, kind: str, labels: frozenset[str]) -> None:
        for suffix in SUFFIXES[kind]:
            names[family + suffix] = labels | ({"le"} if suffix == "_bucket" else set())

    for metric in vars(instruments).values():
        if isinstance(metric, MetricWrapperBase):
            for family in metric.describe():
                add(family.name, family.type, frozenset(metric._labelnames))
    for collector in (OutboxLag("s", _Unreachable, "t"), QueueDepth("q", _Unreachable)):
        for family in collector.collect():
            add(family.name, family.type, frozenset(family.samples[0].labels))
    return names


def panels(dashboard: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for panel in dashboard["panels"]:
        yield panel
        yield from panel.get("panels", [])


def expressions(dashboard: dict[str, Any]) -> list[str]:
    exprs = [t["expr"] for p in panels(dashboard) for t in p.get("targets", [])]
    exprs += [v["definition"] for v in dashboard["templating"]["list"] if v.get("type") == "query"]
    return exprs


def test_the_dashboard_uses_only_metrics_and_labels_the_services_export() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    known = exported()

    used = {
        (name, selector or "")
        for expr in expressions(dashboard)
        for name, selector in SELECTOR.findall(expr)
    }

    assert used, "the dashboard queries nothing"
    unknown = sorted(name for name, _ in used if name not in known)
    assert not unknown, f"the dashboard queries metrics nobody exports: {unknown}"
    wrong = sorted(
        (name, label)
        for name, selector in used
        for label in LABEL.findall(selector)
        if label not in known[name]
    )
    assert not wrong, f"the dashboard filters on labels these metrics lack: {wrong}"
    every = {n for n in known if not n.endswith(("_sum", "_count"))}
    assert every <= {name for name, _ in used}, "a metric the services export is not shown"


def test_the_dashboard_is_a_grafana_dashboard_on_a_chosen_prometheus() -> None:
    dashboard = json.loads(DASHBOARD.read_text())

    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    assert dashboard["uid"] and dashboard["title"] and dashboard["schemaVersion"] >= 36
    ids = [p["id"] for p in panels(dashboard)]
    assert len(ids) == len(set(ids))
    for panel in panels(dashboard):
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel
        assert panel["targets"] and all(t["expr"] for t in panel["targets"]), panel["title"]
        assert {"h", "w", "x", "y"} <= set(panel["gridPos"])
