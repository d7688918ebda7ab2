"""moto's DynamoDB + S3 server, with DynamoDB's transaction isolation and O(items) rollback.

moto is pinned to 5.1.22: 5.2's generic response serializer made a 20-item Query cost 98 ms
instead of 11 ms, and a GetItem 8 ms instead of 1.3 ms.

moto applies a TransactWriteItems by deep-copying every table it touches and, when a condition
fails, putting the copies back. That erases what other threads wrote meanwhile, and costs time in
proportion to the table (300 ms per transaction at 8,000 items). DynamoDB isolates transactions
and their cost does not grow with the table, so the local emulator must behave the same:
DynamoDB calls take one lock, and a failed transaction restores only the items it named.
"""

from __future__ import annotations

import argparse
import copy
import functools
import gc
import string
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import ClientError
from gunicorn.app.base import BaseApplication
from moto.core import responses as moto_responses
from moto.core.responses import BaseResponse
from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models import table as table_module
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoHandler
from moto.moto_api._internal import mock_random
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Request

from devstack.emulator_queries import forget, install_partitioned_queries, note_call

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
ItemRef = tuple[Table, DynamoType, DynamoType | None]


class _CopyStandIn:
    """Stands in for the `copy` module inside one of moto's modules; a subclass decides which
    values `deepcopy` hands back uncopied."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


class _TableCopies(_CopyStandIn):
    """In moto's backend: tables are not copied during a transaction."""

    skip_tables = False

    def deepcopy(self, value: Any, memo: dict[int, Any] | None = None) -> Any:
        if self.skip_tables and isinstance(value, Table):
            return value
        return copy.deepcopy(value, memo)


_copies = _TableCopies()


@contextmanager
def _no_table_copies() -> Iterator[None]:
    _copies.skip_tables = True
    try:
        yield
    finally:
        _copies.skip_tables = False


def _refs(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> list[ItemRef]:
    refs: list[ItemRef] = []
    for entry in transact_items:
        operation = next(iter(entry.values()))
        table = backend.get_table(operation["TableName"])
        attributes = operation.get("Key") or operation.get("Item") or {}
        range_name = table.range_key_attr
        refs.append(
            (
                table,
                DynamoType(attributes[table.hash_key_attr]),
                DynamoType(attributes[range_name]) if range_name else None,
            )
        )
    return refs


def _current(ref: ItemRef) -> Any:
    table, hash_key, range_key = ref
    if range_key is None:
        return table.items.get(hash_key)
    return table.items.get(hash_key, {}).get(range_key)


def _restore(ref: ItemRef, saved: Any) -> None:
    table, hash_key, range_key = ref
    if range_key is None:
        if saved is None:
            table.items.pop(hash_key, None)
        else:
            table.items[hash_key] = saved
        return
    bucket = table.items[hash_key]
    if saved is None:
        bucket.pop(range_key, None)
    else:
        bucket[range_key] = saved


def _isolated(original: Callable[..., None]) -> Callable[..., None]:
    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        try:
            refs = _refs(self, transact_items)
        except Exception:
            refs = []
        saved = [(ref, copy.deepcopy(_current(ref))) for ref in refs]
        try:
            with _no_table_copies():
                original(self, transact_items)
        except Exception:
            for ref, item in reversed(saved):
                _restore(ref, item)
                forget(ref[0].name)  # the Query shortcut's maps saw the writes undone here
            raise

    return transact_write_items


def install_transaction_isolation() -> None:
    setattr(dynamodb_models, "copy", _copies)  # noqa: B010 - a module attribute, on purpose
    DynamoDBBackend.transact_write_items = _isolated(  # type: ignore[method-assign]
        DynamoDBBackend.transact_write_items
    )


class _ResultCopies(_CopyStandIn):
    """In moto's table module: a Query's or Scan's items are not copied.
    moto copies them so that no caller can change the table through its results; here each
    response is written out under the one lock, before any other call runs, and nothing on the
    way changes them (projections build new items). The copies were 16 % of a listing page's
    emulator CPU. Anything else (a table, its backups) is still copied."""

    def deepcopy(self, value: Any, memo: dict[int, Any] | None = None) -> Any:
        if isinstance(value, Item):
            return value
        if isinstance(value, list) and all(isinstance(entry, Item) for entry in value):
            return list(value)
        return copy.deepcopy(value, memo)


def install_uncopied_results() -> None:
    setattr(table_module, "copy", _ResultCopies())  # noqa: B010 - a module attribute, on purpose


def install_json_enrichment() -> None:
    """moto runs a regex for an XML `<RequestId>` over every response body (6 % of a listing
    page's emulator CPU, the body being long); a JSON body holds no such tag, so only the headers
    are enriched then."""
    enrich = BaseResponse._enrich_response
    if getattr(enrich, "prolearn_json_aware", False):
        return

    def json_aware(headers: dict[str, str], body: Any) -> tuple[dict[str, str], Any]:
        if isinstance(body, str) and "<RequestId>" not in body:
            return enrich(headers, "")[0], body
        return enrich(headers, body)

    json_aware.prolearn_json_aware = True  # type: ignore[attr-defined]
    BaseResponse._enrich_response = staticmethod(json_aware)  # type: ignore[method-assign]


def install_method_name_cache() -> None:
    """moto lists a response class's methods with `inspect.getmembers` on every request (5 % of
    the emulator's CPU); a class's methods do not change while it serves."""
    listed = getattr(moto_responses, "method_names_from_class")  # noqa: B009 - not exported
    if not hasattr(listed, "cache_info"):
        setattr(moto_responses, "method_names_from_class", functools.cache(listed))  # noqa: B010


REQUEST_ID_ALPHABET = string.ascii_letters + string.digits


def _request_id(headers: dict[str, Any] | None = None) -> str:
    """moto's 52-character request id, drawn in one call instead of 52."""
    request_id = "".join(mock_random.choices(REQUEST_ID_ALPHABET, k=52))
    if headers is not None:
        headers["x-amzn-requestid"] = request_id
    return request_id


def install_quick_request_ids() -> None:
    setattr(moto_responses, "gen_amzn_requestid_long", _request_id)  # noqa: B010


def moto_dynamodb(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """moto's DynamoDB handler as a bare WSGI app, answering as moto's Flask app around it did
    (less its CORS header): that app's routing of its one URL, request context and response
    object were a quarter of a GetItem's emulator CPU."""
    request = Request(environ)
    try:
        result = DynamoHandler.dispatch(request, request.url, dict(request.headers))
    except ClientError as exc:
        result = 400, {}, exc.response["Error"]["Message"]
    status, headers, body = result if isinstance(result, tuple) else (200, {}, result)
    fields = [(name, str(value)) for name, value in headers.items()]
    if not any(name.lower() == "content-type" for name, _ in fields):
        fields.append(("Content-Type", "text/html; charset=utf-8"))  # Flask's default
    data = body.encode() if isinstance(body, str) else body
    start_response(f"{status} {HTTP_STATUS_CODES.get(int(status), 'UNKNOWN').upper()}", fields)
    return [data]


def dynamodb_serialized(app: WsgiApp, dynamodb: WsgiApp) -> WsgiApp:
    """DynamoDB calls go straight to moto's DynamoDB handler (`app`, moto's dispatcher, works out
    the service of every request again, scanning its module list: 6 % of the emulator's CPU),
    one at a time, each announced to the Query shortcut; every response gets a Content-Length."""
    lock = threading.Lock()

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if not target.startswith("DynamoDB_"):
            return app(environ, start_response)
        operation = target.partition(".")[2]
        captured: list[Any] = []
        with lock:
            note_call(operation)
            try:
                body = b"".join(dynamodb(environ, lambda *args: captured.extend(args)))
            finally:
                note_call(operation)
        status, headers = captured[0], list(captured[1])
        if not any(name.lower() == "content-length" for name, _ in headers):
            headers.append(("Content-Length", str(len(body))))
        start_response(status, headers)
        return [body]

    return serve


FREEZE_EVERY_SECONDS = 5


def keep_gc_pauses_short() -> None:
    """moto keeps every item as Python objects. As a table grows, the collector's full passes
    over the whole heap stall every request for up to seconds (seen as a 2 s p99 after 70,000
    chat messages). Survivors are frozen every few seconds, so full passes find nothing old to
    scan; young garbage is still collected as usual."""

    def freeze_survivors() -> None:
        while True:
            time.sleep(FREEZE_EVERY_SECONDS)
            gc.collect(1)
            gc.freeze()

    threading.Thread(target=freeze_survivors, name="gc-freeze", daemon=True).start()


class _Server(BaseApplication):  # type: ignore[misc]
    """gunicorn serving the emulator: one process (moto keeps its state in memory), a thread
    per connection and keep-alive. werkzeug's server, which moto ships with, closes every
    connection after one response, so each DynamoDB call paid a TCP connect in the client and a
    new thread in the emulator (about a fifth of the emulator's CPU per GetItem)."""

    def __init__(self, host: str, port: int) -> None:
        self.bind = f"{host}:{port}"
        super().__init__()

    def load_config(self) -> None:
        settings = {
            "bind": self.bind,
            "workers": 1,
            "worker_class": "gthread",
            "threads": THREADS,
            "keepalive": KEEP_ALIVE_SECONDS,
            "worker_connections": 4096,
            "timeout": 0,  # a long request is the caller's business; never kill the state
            "graceful_timeout": 5,
            "control_socket_disable": True,
            "loglevel": "warning",
        }
        for name, value in settings.items():
            self.cfg.set(name, value)

    def load(self) -> WsgiApp:
        return wsgi()


THREADS = 32
KEEP_ALIVE_SECONDS = 75
"""Longer than any client pool keeps an idle connection, so a reused one is never half-closed."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5055)
    args = parser.parse_args()
    _Server(args.host, args.port).run()


def wsgi() -> WsgiApp:
    """The emulator as a WSGI app, also for any WSGI server: `'devstack.emulator:wsgi()'`."""
    install_transaction_isolation()
    install_partitioned_queries()
    keep_gc_pauses_short()
    install_method_name_cache()
    install_uncopied_results()
    install_json_enrichment()
    install_quick_request_ids()
    return dynamodb_serialized(DomainDispatcherApplication(create_backend_app), moto_dynamodb)


if __name__ == "__main__":
    main()
