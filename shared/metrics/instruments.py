"""Every counter and histogram ProLearn exports, with labels of bounded cardinality.

Label values come from closed sets: a route is the matched URL rule (never the raw path), an
event type one of the registered contracts, a method one of HTTP's usual verbs."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

from shared.events.contracts import EVENT_TYPES

UNKNOWN = "unknown"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_REQUESTS = Counter(
    "prolearn_http_requests",
    "HTTP requests answered, by matched route and status.",
    ["service", "method", "route", "status"],
)
HTTP_DURATION = Histogram(
    "prolearn_http_request_duration_seconds",
    "Time from the request's arrival to its response headers, by matched route.",
    ["service", "method", "route"],
    buckets=LATENCY_BUCKETS,
)
DYNAMODB_REQUESTS = Counter(
    "prolearn_dynamodb_requests",
    "DynamoDB API calls made (retries not counted), by caller, operation and table; a call"
    " that spans several tables counts once for each.",
    ["service", "operation", "table"],
)
EVENTS_PUBLISHED = Counter(
    "prolearn_events_published",
    "Events whose every copy the broker accepted, by producer and type.",
    ["service", "event_type"],
)
EVENTS_CONSUMED = Counter(
    "prolearn_events_consumed",
    "Events a consumer finished: handled (effect applied) or duplicate (already in the inbox).",
    ["service", "event_type", "outcome"],
)
EVENTS_FAILED = Counter(
    "prolearn_events_failed",
    "Handling attempts that failed and were scheduled for a retry.",
    ["service", "event_type"],
)
EVENTS_DEAD_LETTERED = Counter(
    "prolearn_events_dead_lettered",
    "Events stored as dead letters for an operator after their last failed attempt.",
    ["service", "event_type"],
)

CHAT_STAGE_SECONDS = Histogram(
    "prolearn_chat_stage_seconds",
    "Time a chat message spends in each step: `store` (the sender waits until its batch is"
    " stored), `batch_write` (one BatchWriteItem with its retries), `publish` (to the room's"
    " Redis channel).",
    ["stage"],
    buckets=(0.001, 0.0025, *LATENCY_BUCKETS),
)


GATEWAY_EDGE_CACHE = Counter(
    "prolearn_gateway_edge_cache",
    "Anonymous GETs of edge-cached routes: hit, miss (forwarded, then held) or pass (not held).",
    ["outcome"],
)


def event_type_label(event_type: object) -> str:
    """The type itself when it is a registered contract, else `unknown` (a malformed envelope
    must not mint a new series)."""
    return event_type if isinstance(event_type, str) and event_type in EVENT_TYPES else UNKNOWN


def method_label(method: str) -> str:
    return method if method in METHODS else "other"
