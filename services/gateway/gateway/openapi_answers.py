"""What the gateway itself may answer on a route, read from its table entry (auth, self, path
parameters, body cap, rate limits, upstream), for the OpenAPI document."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from gateway.routes import SIGNED_IN_LEVELS, Auth, Route
from shared.api.common import error
from shared.api.spec import Answer, Param, ref, string

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
"""The methods Idempotency-Key applies to."""
WITH_BODY = ("POST", "PUT", "PATCH")
IDEMPOTENCY_KEY = Param(
    "Idempotency-Key",
    string(pattern="^[\\x20-\\x7e]{1,255}$"),
    "1 to 255 printable ASCII characters: a retry with the same key and body gets the first"
    " answer again (kept 24 h); the same key with another body is a 409.",
    location="header",
)
RETRY_AFTER = {"Retry-After": "Seconds until the limit resets."}
BUDGET_HEADERS = {
    "X-RateLimit-Limit": "The route's budget per client address.",
    "X-RateLimit-Remaining": "What is left of it in this window.",
    "X-RateLimit-Reset": "Seconds to the window's end.",
}


def gateway_answers(route: Route, takes_body: bool) -> dict[int, Answer]:
    """The gateway's own answers on `route`, by status."""
    answers = {**_auth_answers(route), **_limit_answers(route, takes_body)}
    if route.params:
        answers[404] = error("No such path: a parameter holding `/`, `.` or `..`, or not an id.")
    if route.method in UNSAFE:
        answers[400] = error("A malformed Idempotency-Key (`invalid_idempotency_key`).")
        answers[409] = error(
            "The Idempotency-Key was used with another request (`idempotency_key_reused`), or"
            " that request is still running (`idempotency_in_progress`)."
        )
    if route.upstream != "gateway":
        answers |= {
            502: error(f"The {route.upstream} service failed (`upstream_error`)."),
            503: error(f"The {route.upstream} service is unavailable."),
            504: error(f"The {route.upstream} service did not answer in time."),
        }
    if route.method in UNSAFE:
        answers[503] = joined(answers.get(503), error("Idempotency records are unavailable."))
    return answers


def _auth_answers(route: Route) -> dict[int, Answer]:
    answers: dict[int, Answer] = {}
    if route.auth is Auth.OPTIONAL:
        answers[401] = error("A token was sent but is not valid.")
    if route.auth in SIGNED_IN_LEVELS:
        answers[401] = error("No token, or a bad or expired one.")
    refusals = []
    if route.auth in (Auth.STUDENT, Auth.TEACHER):
        refusals.append(f"Not a {route.auth.value} (`wrong_role`).")
    if route.auth in (Auth.SIGNED_IN, Auth.STUDENT, Auth.TEACHER):
        refusals.append("No role chosen yet (`onboarding_required`).")
    if route.self_param:
        refusals.append(f"`{route.self_param}` is not the caller (`not_self`).")
    if refusals:
        answers[403] = error(" ".join(refusals))
    return answers


def _limit_answers(route: Route, takes_body: bool) -> dict[int, Answer]:
    answers: dict[int, Answer] = {}
    if takes_body and route.method in WITH_BODY:
        size = _size(route.max_body_bytes)
        answers[413] = error(f"The body is over {size} (`payload_too_large`).")
    if route.rate_limited or route.ip_budget:
        limits = "the caller's rate limit"
        if route.ip_budget:
            limits += f" or the `{route.ip_budget}` budget of the client address"
        answers[429] = Answer(f"Over {limits} (`rate_limited`).", ref("Error"), headers=RETRY_AFTER)
    return answers


def merge(
    route: Route, service: Mapping[int, Answer], gateway: Mapping[int, Answer]
) -> dict[int, Answer]:
    """The service's answers with the gateway's, by status; on a route with a per-IP budget,
    the service's answers (to forwarded requests) carry the budget's headers."""
    merged = dict(service)
    if route.ip_budget:
        merged = {
            status: replace(answer, headers={**BUDGET_HEADERS, **answer.headers})
            for status, answer in merged.items()
        }
    for status, answer in gateway.items():
        merged[status] = joined(merged.get(status), answer)
    return merged


def joined(first: Answer | None, second: Answer) -> Answer:
    """Two answers of one status: both descriptions, the first's bodies, both's headers."""
    if first is None:
        return second
    return Answer(
        f"{first.description} Or: {second.description}",
        first.schema if first.schema is not None else second.schema,
        {**second.media_types, **first.media_types},
        {**second.headers, **first.headers},
    )


def _size(limit: int) -> str:
    mib = 1024 * 1024
    return f"{limit / mib:g} MiB" if limit >= mib else f"{limit / 1024:g} KiB"
