"""No input is a 5xx: every route of the gateway's table gets hostile values in each path
parameter, each documented query parameter and a few headers as a student, a teacher and nobody,
and hostile bodies (whole, and in each top-level field) as the callers it admits. A malformed path
id is a 404 and a hostile cursor or limit a 400. A new route is fuzzed by being declared."""

from __future__ import annotations

import base64
import http.client
import json
import string
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

from gateway.openapi import operation_key
from gateway.routes import ROUTES, Route
from shared.api import OPERATIONS, SCHEMAS
from shared.web.ids import is_id
from tests.helpers import Api, User
from tests.test_openapi_conformance import World, build_world

HOSTILE = (
    "a" * 5000,  # beyond any request line
    "a" * 2100,  # beyond a DynamoDB partition key
    "a" * 1100,  # beyond a sort key
    "a" * 65,
    "😀",
    "\u202eevil",  # right-to-left override
    "e\u0301\u0301\u0301",  # combining marks
    "\ud800",  # a lone surrogate
    "a/b",
    "..",
    "../..",
    ".",
    "%",
    "%2F",
    "\x00",
    "a\x00b",
    " a b ",
    "'\"`",
    "<script>alert(1)</script>",
    "a?b#c",
    "\\",
    "\r\nX-Injected: 1",
    "9" * 400,
    "²",  # a digit to str.isdigit, not to int()
    "١٢",
    "+5",
    "0x10",
    "-1",
    "1e999",
    "NaN",
    "[]",
    "9999-12-31T23:59:59Z",
    "2026-02-30T00:00:00Z",
    "2026-01-01T00:00:00+99:00",
    base64.urlsafe_b64encode(b"[" * 1100 + b"]" * 1100).decode(),  # a cursor past recursion
)
RAW_PATH = ("%", "%zz", "%FF", "%C0%AF", "%00", "%2e%2e", "%2F%2E%2E")
"""Path segments sent exactly as written: broken or tricky percent-escapes."""
JSON_VALUES = (
    *(json.dumps(v) for v in ("a" * 2100, "", "😀", "\ud800", "a/b", "..", "a\x00b", "9" * 400)),
    "1" + "0" * 400,
    "1e999",
    "-1",
    "1.5",
    "true",
    "null",
    "[]",
    "{}",
    "[" * 100 + "]" * 100,
    '{"a":' * 100 + "1" + "}" * 100,
)
"""Values of a body field, as JSON text (a huge integer, a float that overflows, deep nesting)."""
BODIES = (
    "[" * 10_000 + "]" * 10_000,
    '{"sections": "' + "[" * 10_000 + "]" * 10_000 + '"}',
    '{"a": NaN}',
    "1e999",
    "\ufeff{}",
    '{"a": "\\ud800"}',
    "",
)
RAW_BODIES = (b"\xff\xfe{\x00}", b'{"a": "\xc3\x28"}')
HEADERS = (
    {"Authorization": "Bearer " + "a" * 5000},
    {"Authorization": "Bearer \u00e9.\u00e9.\u00e9"},
    {"X-Request-Id": "\u00e9" * 20},
    {"Idempotency-Key": "\u00e9"},
    {"Content-Type": "application/json; charset=utf-7"},
    {"x-webhook-signature": "\u00e9\u00e9", "x-webhook-timestamp": "\u00e9"},
)
PAGING = ("cursor", "limit")
"""No hostile value is a cursor we issued or a limit of 1 to 100: a 400 for whoever may call."""
WORKERS = 6
MAX_REQUEST_LINE = 4094 - len("DELETE  HTTP/1.1")
"""gunicorn's limit_request_line, less the method and version."""
UNRESERVED = frozenset(string.ascii_letters + string.digits + "-_")


@dataclass(frozen=True)
class Probe:
    method: str
    target: str
    caller: User | None = None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    expected: tuple[int, ...] = ()
    """The statuses allowed; any below 500 when empty."""

    def allows(self, status: int) -> bool:
        """gunicorn refuses a request line over its limit (400 or 414) before anything else."""
        if len(self.target) > MAX_REQUEST_LINE:
            return status in (400, 414)
        return status < 500 and (not self.expected or status in self.expected)

    def label(self) -> str:
        who = self.caller.user_id if self.caller else "nobody"
        body = self.body[:80] if self.body else None
        return f"{self.method} {self.target[:200]} as {who}, {self.headers}, body {body!r}"


def encode(value: str) -> str:
    """Every byte but letters, digits, `-` and `_` as %XX: the value arrives exactly."""
    raw = value.encode("utf-8", "surrogatepass")
    return "".join(chr(b) if chr(b) in UNRESERVED else f"%{b:02X}" for b in raw)


def _spec(route: Route) -> tuple[list[str], list[str]]:
    """The route's documented query parameters and top-level body fields."""
    spec = OPERATIONS.get(operation_key(route.method, route.path))
    if spec is None:
        return [], []
    query = [p.name for p in spec.params if p.location == "query"]
    schema = spec.body.schema if spec.body else {}
    if "$ref" in schema:
        schema = SCHEMAS[schema["$ref"].rsplit("/", 1)[-1]]
    return query, list(schema.get("properties", {}))


def _path(route: Route, values: dict[str, str]) -> str:
    path = route.path
    for name in route.params:
        path = path.replace(f"<{name}>", values[name])
    return path


def _malformed_id(route: Route) -> tuple[int, ...]:
    """A path id that is not an id names nothing: 404 at the gateway, whoever asks; a plain GET
    of a WebSocket route may be refused before that (400 websocket_required, found while
    matching the URL)."""
    return (400, 404) if route.websocket else (404,)


def _field_bodies(fields: list[str], valid: dict[str, object]) -> Iterator[bytes]:
    """One field hostile at a time, the others valid where a valid body is known."""
    for name in fields:
        others = [f"{json.dumps(k)}: {json.dumps(v)}" for k, v in valid.items() if k != name]
        for value in JSON_VALUES:
            yield ("{" + ", ".join([f"{json.dumps(name)}: {value}", *others]) + "}").encode()


def probes(world: World) -> Iterator[Probe]:
    callers: tuple[User | None, ...] = (world.student, world.teacher, None)
    for route in ROUTES:
        query, fields = _spec(route)
        for caller in callers:
            real = dict.fromkeys(route.params, world.student.user_id)
            real |= {k: encode(v) for k, v in world.path_values(route, caller).items()}
            base = _path(route, real)
            for name in route.params:
                for value in (*(encode(v) for v in HOSTILE if not is_id(v)), *RAW_PATH):
                    target = _path(route, {**real, name: value})
                    yield Probe(route.method, target, caller, expected=_malformed_id(route))
                for value in filter(is_id, HOSTILE):
                    yield Probe(route.method, _path(route, {**real, name: value}), caller)
            for name in query:
                paging = name in PAGING and caller in world.callers(route)
                for value in HOSTILE:
                    target = f"{base}?{name}={encode(value)}"
                    yield Probe(route.method, target, caller, expected=(400,) if paging else ())
            for headers in HEADERS:
                yield Probe(route.method, base, caller, headers=headers)
            if route.method in ("GET", "DELETE") or caller not in world.callers(route):
                continue
            bodies = [*(b.encode() for b in BODIES), *RAW_BODIES]
            bodies += _field_bodies(fields, world.bodies.get(route.endpoint, {}))
            for body in bodies:
                yield Probe(route.method, base, caller, body=body)


_local = threading.local()
FUZZ_SOURCE_ADDRESS = "127.0.0.2"
"""Anonymous budgets (the contact form's 5 an hour) are per client address: the fuzz spends its
own, not the one later tests of the same stack send from 127.0.0.1."""


def send(origin: str, probe: Probe) -> tuple[Probe, int, bytes]:
    """One request with its target and body exactly as given, on this thread's connection."""
    netloc = urlsplit(origin).netloc
    connection: http.client.HTTPConnection | None = getattr(_local, "connection", None)
    if connection is None:
        connection = _local.connection = http.client.HTTPConnection(
            netloc, timeout=30, source_address=(FUZZ_SOURCE_ADDRESS, 0)
        )
    headers = {"Content-Type": "application/json", **probe.headers}
    if probe.caller is not None and "Authorization" not in headers:
        headers["Authorization"] = f"Bearer {probe.caller.token}"
    encoded = {k: v.encode("utf-8") for k, v in headers.items()}
    try:
        return probe, *_exchange(connection, probe, encoded)
    except (http.client.HTTPException, OSError):  # gunicorn closed the kept-alive connection
        connection.close()
        return probe, *_exchange(connection, probe, encoded)


def _exchange(
    connection: http.client.HTTPConnection, probe: Probe, headers: dict[str, bytes]
) -> tuple[int, bytes]:
    connection.putrequest(probe.method, probe.target, skip_accept_encoding=True)
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.putheader("Content-Length", str(len(probe.body or b"")))
    connection.endheaders(probe.body)
    response = connection.getresponse()
    return response.status, response.read()


@pytest.fixture(scope="module")
def world(api: Api) -> World:
    return build_world(api)


def test_no_input_is_a_server_error(api: Api, world: World) -> None:
    started = time.monotonic()
    planned = list(probes(world))
    with ThreadPoolExecutor(WORKERS) as pool:
        answers = list(pool.map(lambda p: send(api.gateway, p), planned))
    failures = [
        f"{status} {probe.label()}: {body[:300]!r}"
        for probe, status, body in answers
        if not probe.allows(status)
    ]
    elapsed = time.monotonic() - started
    print(f"{len(planned)} requests over {len(ROUTES)} routes in {elapsed:.1f} s")
    assert not failures, (
        f"{len(failures)} of {len(planned)} were 5xx or not as expected:\n"
        + "\n".join(failures[:60])
    )
