"""Operations: liveness, readiness and metrics (every service), and this API's own document."""

from __future__ import annotations

from typing import Literal

from shared.api.common import error
from shared.api.spec import (
    Answer,
    Operations,
    OperationSpec,
    ResponseModel,
    Schema,
    component_schemas,
    ref,
    string,
)

TAG = "operations"

CheckResult = Literal["ok", "failing"]


class Health(ResponseModel):
    status: Literal["ok"]


class Readiness(ResponseModel):
    status: Literal["ready", "not_ready"]
    checks: dict[str, CheckResult]
    """Each dependency checked: the gateway's is Redis only."""


SCHEMAS: dict[str, Schema] = component_schemas(Health, Readiness)

OPERATIONS: Operations = {
    "GET /health": OperationSpec(TAG, {200: Answer("The process is up.", ref("Health"))}),
    "GET /ready": OperationSpec(
        TAG,
        {
            200: Answer("Every dependency answers.", ref("Readiness")),
            503: Answer("A dependency does not answer.", ref("Readiness")),
        },
        "The gateway checks only its own Redis: one upstream's outage must not take the edge"
        " out of rotation.",
    ),
    "GET /metrics": OperationSpec(
        TAG,
        {
            200: Answer("Prometheus text exposition.", media_types={"text/plain": string()}),
            404: error(
                "Behind trusted proxies, a request that came through the edge (it carries "
                "X-Forwarded-For): metrics are for scrapes inside the cluster."
            ),
        },
    ),
    "GET /openapi.json": OperationSpec(
        TAG,
        {200: Answer("This document.", {"type": "object"})},
        "The OpenAPI 3.1 document, generated from the gateway's route table and these specs.",
    ),
    "GET /docs": OperationSpec(
        TAG,
        {200: Answer("A page that renders this document.", media_types={"text/html": string()})},
    ),
}
