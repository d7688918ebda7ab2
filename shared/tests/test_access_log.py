"""The request middleware: one JSON access line per request carrying the request id the response
names, tokens masked wherever the line could carry one, and the id left unbound afterwards."""

from __future__ import annotations

import io
import json
import logging
import re
import uuid
from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest
from flask import Blueprint, Flask, jsonify
from flask.testing import FlaskClient

from shared.config import load_settings
from shared.context import correlation_id_var, new_id
from shared.logs import JsonFormatter
from shared.web.app import ServiceApp, build_app

SECRET = "s3cr3tJWTvalue"
FIELDS = [
    "ts",
    "level",
    "service",
    "logger",
    "message",
    "correlation_id",
    "event_id",
    "method",
    "route",
    "path",
    "status",
    "duration_ms",
]


def _client(service: str) -> FlaskClient:
    bp = Blueprint("things", __name__)

    @bp.get("/things/<thing_id>")
    def thing(thing_id: str) -> Any:
        return jsonify({"id": thing_id})

    return build_app(load_settings(service, {}), [bp], {}).test_client()


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    """Where the access lines go while the test runs, as JsonFormatter writes them."""
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.setFormatter(JsonFormatter("things"))
    logger = logging.getLogger("shared.web.access")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield written
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)


def _get(client: FlaskClient, stream: io.StringIO, path: str, **headers: str) -> Any:
    """The response to GET `path` and its access line."""
    response = client.get(path, headers=headers)
    *_, line = stream.getvalue().splitlines()
    return response, json.loads(line)


def test_the_line_names_the_request_and_the_id_the_response_carries(stream: io.StringIO) -> None:
    client = _client("things")

    response, line = _get(client, stream, "/things/a1")

    request_id = response.headers["X-Request-Id"]
    assert uuid.UUID(hex=request_id).version == 4 and len(request_id) == 32
    assert list(line) == FIELDS
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["ts"])
    assert {k: v for k, v in line.items() if k not in ("ts", "duration_ms")} == {
        "level": "INFO",
        "service": "things",
        "logger": "shared.web.access",
        "message": "request",
        "correlation_id": request_id,
        "event_id": None,
        "method": "GET",
        "route": "/things/<thing_id>",
        "path": "/things/a1",
        "status": 200,
    }
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert correlation_id_var.get() is None, "unbound once the request is over"


def test_a_well_formed_incoming_id_is_kept_and_a_malformed_one_replaced(
    stream: io.StringIO,
) -> None:
    client = _client("things")

    kept, kept_line = _get(client, stream, "/things/a1", **{"X-Request-Id": "req-0123456789"})
    replaced, _ = _get(client, stream, "/things/a1", **{"X-Request-Id": "no spaces allowed"})

    assert kept.headers["X-Request-Id"] == kept_line["correlation_id"] == "req-0123456789"
    assert len(replaced.headers["X-Request-Id"]) == 32


def test_a_token_in_the_path_or_the_request_id_never_reaches_the_line(
    stream: io.StringIO,
) -> None:
    client = _client("things")

    in_path, path_line = _get(client, stream, f"/things/a1;token={SECRET}")
    in_id, id_line = _get(client, stream, "/nothing", **{"X-Request-Id": f"bearer.{SECRET}"})

    assert in_path.status_code == 404, "a malformed path id"
    assert path_line["path"] == "/things/a1;token=[redacted]"
    assert in_id.headers["X-Request-Id"] == f"bearer.{SECRET}", "the caller gets its id back"
    assert id_line["correlation_id"] == "bearer.[redacted]"
    assert SECRET not in stream.getvalue()


def test_minted_ids_are_uuid4_hex() -> None:
    ids = [new_id() for _ in range(2000)]

    assert len(set(ids)) == len(ids)
    for value in ids:
        parsed = uuid.UUID(hex=value)
        assert (parsed.hex, parsed.version, parsed.variant) == (value, 4, uuid.RFC_4122)


async def _coroutine() -> None:
    """An async view, which Flask alone decides how to run."""


def _plain() -> None:
    """A plain view."""


class _Views:
    async def coroutine(self) -> None:
        """An async method view."""

    def plain(self) -> None:
        """A method view."""


@pytest.mark.parametrize(
    "func",
    [_coroutine, partial(_coroutine), partial(_plain), _Views().coroutine, _Views().plain],
)
def test_anything_but_a_plain_function_gets_flasks_own_answer(func: Any) -> None:
    app = ServiceApp("x")

    def answer(ensure_sync: Any) -> Any:
        try:
            wrapped = ensure_sync(app, func)
        except RuntimeError as exc:  # Flask without its async extra
            return RuntimeError, str(exc)
        return wrapped is func

    assert answer(ServiceApp.ensure_sync) == answer(Flask.ensure_sync)


def test_a_plain_function_is_run_as_it_is() -> None:
    assert ServiceApp("x").ensure_sync(_plain) is _plain


def test_a_dependency_failure_answered_5xx_is_logged_with_its_code_and_cause(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from shared.web.errors import Unavailable

    bp = Blueprint("deps", __name__)

    @bp.get("/pay")
    def pay() -> Any:
        try:
            raise ConnectionResetError("peer went away")
        except ConnectionResetError as exc:
            raise Unavailable("The gateway is down.", code="payments_unavailable") from exc

    client = build_app(load_settings(f"svc{uuid.uuid4().hex[:6]}", {}), [bp], {}).test_client()
    with caplog.at_level(logging.WARNING, logger="shared.web.errors"):
        assert client.get("/pay").status_code == 503
    (record,) = [r for r in caplog.records if r.name == "shared.web.errors"]
    assert record.getMessage() == "answered 503 payments_unavailable"
    assert "peer went away" in record.__dict__["cause"]
