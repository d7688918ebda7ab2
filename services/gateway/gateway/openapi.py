"""The OpenAPI 3.1 document of the public API, generated from the route table (paths, who may
call, limits and the gateway's own answers) and the operation specs in `shared.api` (parameters,
bodies and the services' answers)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from flask import Flask

from gateway.openapi_answers import IDEMPOTENCY_KEY, UNSAFE, gateway_answers, merge
from gateway.routes import Auth, Route
from shared.api import OPERATIONS, SCHEMAS, TAGS
from shared.api.spec import JSON, Answer, OperationSpec, Param, string
from shared.web.ids import ID_SCHEMA_PATTERN

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1.0.0"
BEARER = "bearerAuth"
ID = string("An id: letters, digits, `-` or `_`.", pattern=ID_SCHEMA_PATTERN)
UNDOCUMENTED = "Not documented: no operation spec in shared.api."
SERVED_BY_EVERY_SERVICE = ("GET /health", "GET /ready", "GET /metrics")
"""Operations every service's app serves beside its routes (shared.web): documented when the
gateway's app has them."""
_CONVERTER = re.compile(r"<(?:[a-z]+:)?([A-Za-z_][A-Za-z0-9_]*)>")
_TEMPLATE = re.compile(r"{([^}]+)}")

DESCRIPTION = """The one public origin of ProLearn: on-demand courses and 1-to-1 mentorship.

- Success: `{"message", "data"}`; lists are arrays in `data`, and the next page's cursor is the
  `X-Next-Cursor` header (send it back as `?cursor=`).
- Error: `{"message", "error": {"code", "details"}}`; a 400 names each bad field in `details`.
- Auth: `Authorization: Bearer <Clerk session JWT>`.
- Every response carries `X-Request-Id`; send `Idempotency-Key` on unsafe requests to make
  retries safe (the same key with another body is a 409).
- Times are ISO-8601 UTC with `Z`, except a chat message's epoch-millisecond `timestamp`; money
  is in minor units (paise), except in Cashfree's own order fields."""


def openapi_path(path: str) -> str:
    """A route path with its `<name>` converters as OpenAPI `{name}` templates."""
    return _CONVERTER.sub(r"{\1}", path)


def operation_key(method: str, path: str) -> str:
    """`METHOD /path/{param}`: how `shared.api` keys an operation."""
    return f"{method} {openapi_path(path)}"


def served_operations(app: Flask) -> set[str]:
    """The operation key of every URL rule of `app` (HEAD and OPTIONS aside)."""
    return {
        operation_key(method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }


def build_document(routes: Iterable[Route], served: Iterable[str] = ()) -> dict[str, Any]:
    """Every route as an operation, plus those of `served` that every service serves beside
    its routes. A route without a spec still appears, with what its table entry says and a
    `default` answer saying it is undocumented (a test keeps there being none)."""
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        key = operation_key(route.method, route.path)
        spec = OPERATIONS.get(key) or OperationSpec(route.upstream, {}, UNDOCUMENTED)
        paths.setdefault(openapi_path(route.path), {})[route.method.lower()] = _route_operation(
            route, spec
        )
    for key in sorted(set(served) & set(SERVED_BY_EVERY_SERVICE)):
        method, path = key.split(" ", 1)
        spec = OPERATIONS[key]
        paths.setdefault(path, {})[method.lower()] = _operation(method, path, spec, spec.answers)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": "ProLearn API", "version": API_VERSION, "description": DESCRIPTION},
        "tags": [{"name": name, "description": text} for name, text in TAGS.items()],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                BEARER: {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "A Clerk session token.",
                }
            },
        },
    }


def _route_operation(route: Route, spec: OperationSpec) -> dict[str, Any]:
    answers = merge(route, spec.answers, gateway_answers(route, spec.body is not None))
    operation = _operation(route.method, route.path, spec, answers, route.summary, _notes(route))
    if spec.description == UNDOCUMENTED:
        operation["responses"]["default"] = {"description": UNDOCUMENTED}
    operation["security"] = _security(route.auth)
    operation["x-upstream"] = route.upstream
    return operation


def _operation(
    method: str,
    path: str,
    spec: OperationSpec,
    answers: Mapping[int, Answer],
    summary: str = "",
    notes: str = "",
) -> dict[str, Any]:
    path_params = [
        Param(name, spec.path_params.get(name, ID), location="path", required=True)
        for name in _TEMPLATE.findall(openapi_path(path))
    ]
    params = [*path_params, *spec.params, *((IDEMPOTENCY_KEY,) if method in UNSAFE else ())]
    operation: dict[str, Any] = {"operationId": _operation_id(method, path)}
    if summary:
        operation["summary"] = summary
    description = "\n\n".join(text for text in (spec.description, notes) if text)
    if description:
        operation["description"] = description
    operation["tags"] = [spec.tag]
    if params:
        operation["parameters"] = [_parameter(param) for param in params]
    if spec.body is not None:
        content: dict[str, Any] = {JSON: {"schema": spec.body.schema}}
        if spec.body.multipart is not None:
            content["multipart/form-data"] = {"schema": spec.body.multipart}
        operation["requestBody"] = {"required": spec.body.required, "content": content}
        if spec.body.description:
            operation["requestBody"]["description"] = spec.body.description
    operation["responses"] = {str(status): _response(answers[status]) for status in sorted(answers)}
    return operation


def _notes(route: Route) -> str:
    notes = []
    if route.ip_budget:
        notes.append(
            f"Each forwarded request spends the `{route.ip_budget}` budget of the client address;"
            " every answer carries `X-RateLimit-Limit`, `X-RateLimit-Remaining` and"
            " `X-RateLimit-Reset`."
        )
    if not route.rate_limited:
        notes.append("Not rate limited.")
    if route.websocket:
        notes.append("Tunnelled to the chat service once upgraded.")
    return " ".join(notes)


def _security(auth: Auth) -> list[dict[str, list[str]]]:
    if auth is Auth.PUBLIC:
        return []
    if auth is Auth.OPTIONAL:
        return [{}, {BEARER: []}]
    return [{BEARER: []}]


def _parameter(param: Param) -> dict[str, Any]:
    parameter: dict[str, Any] = {
        "name": param.name,
        "in": param.location,
        "required": param.required,
        "schema": param.schema,
    }
    if param.description:
        parameter["description"] = param.description
    return parameter


def _response(answer: Answer) -> dict[str, Any]:
    response: dict[str, Any] = {"description": answer.description}
    content = answer.content()
    if content:
        response["content"] = {media: {"schema": schema} for media, schema in content.items()}
    if answer.headers:
        response["headers"] = {
            name: {"description": meaning, "schema": {"type": "string"}}
            for name, meaning in answer.headers.items()
        }
    return response


def _operation_id(method: str, path: str) -> str:
    """`getCoursesByCourseId` for GET /courses/{courseId}."""
    words = re.findall(r"[A-Za-z0-9]+", openapi_path(path).replace("{", "by-"))
    return method.lower() + "".join(word[:1].upper() + word[1:] for word in words)
