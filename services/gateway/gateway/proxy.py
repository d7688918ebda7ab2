"""Forward a request to its upstream service and stream the answer back; failures become JSON."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from urllib.parse import quote

import requests
from flask import Response, g, request
from urllib3.exceptions import MaxRetryError

from gateway.headers import forwardable_request_header, response_subset
from shared.config import UpstreamSettings
from shared.web.errors import ApiError, Unavailable, UpstreamError

log = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
ERROR_BODY_LIMIT = 64 * 1024
_PATH_SAFE = "/!$&'()*+,;=:@-._~"


class UpstreamTimeout(ApiError):
    status, code = 504, "upstream_timeout"


class Proxy:
    """One keep-alive session shared by every forwarded request, with connect/read timeouts."""

    def __init__(self, session: requests.Session, settings: UpstreamSettings) -> None:
        self._session = session
        self._timeout = (settings.connect_timeout, settings.read_timeout)

    def to(self, service: str, base_url: str) -> Callable[[], Response]:
        """A handler forwarding the current request, path and query unchanged, to `base_url`."""

        def forward() -> Response:
            return self.forward(service, base_url)

        return forward

    def forward(self, service: str, base_url: str) -> Response:
        url = base_url.rstrip("/") + quote(request.path, safe=_PATH_SAFE)
        if request.query_string:
            url += "?" + request.query_string.decode("latin-1")
        try:
            upstream = self._session.request(
                request.method,
                url,
                headers=_upstream_headers(),
                data=request.get_data(),
                stream=True,
                timeout=self._timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            raise _failure(service, exc) from exc
        if upstream.status_code >= 500:
            return _checked_error(service, upstream)
        response = Response(
            _stream(service, upstream),
            status=upstream.status_code,
            headers=response_subset(upstream.headers),
        )
        response.call_on_close(upstream.close)
        return response


def _upstream_headers() -> dict[str, str]:
    """Allow-listed client headers plus X-Request-Id and X-Forwarded-For (client appended)."""
    headers = {
        name: value for name, value in request.headers.items() if forwardable_request_header(name)
    }
    client = request.remote_addr or "unknown"
    earlier = request.headers.get("X-Forwarded-For", "").strip()
    headers["X-Forwarded-For"] = f"{earlier}, {client}" if earlier else client
    headers["X-Request-Id"] = g.request_id
    headers["Accept-Encoding"] = "identity"
    return headers


def _failure(service: str, exc: requests.RequestException) -> ApiError:
    """Unreachable → 503, no answer in time → 504, anything else (e.g. a dropped reply) → 502."""
    log.warning("upstream call failed", extra={"upstream": service, "error": repr(exc)})
    cause = exc.args[0] if exc.args else None
    never_reached = isinstance(exc, requests.ConnectTimeout) or (
        isinstance(exc, requests.ConnectionError) and isinstance(cause, MaxRetryError)
    )
    if never_reached:
        return Unavailable(f"The {service} service is unavailable.", code="upstream_unavailable")
    if isinstance(exc, requests.Timeout):
        return UpstreamTimeout(f"The {service} service did not answer in time.")
    return UpstreamError(f"The {service} service failed.")


def _checked_error(service: str, upstream: requests.Response) -> Response:
    """Pass an upstream 5xx through only when it is in the shared error shape; else 502."""
    try:
        body = _read_bounded(upstream)
    except requests.RequestException as exc:
        raise _failure(service, exc) from exc
    finally:
        upstream.close()
    if not _is_error_shape(body):
        log.warning(
            "upstream error without the error shape",
            extra={"upstream": service, "status": upstream.status_code},
        )
        raise UpstreamError(f"The {service} service failed.")
    return Response(body, status=upstream.status_code, headers=response_subset(upstream.headers))


def _read_bounded(upstream: requests.Response) -> bytes:
    body = bytearray()
    for chunk in upstream.iter_content(CHUNK_BYTES):
        body += chunk
        if len(body) > ERROR_BODY_LIMIT:
            break
    return bytes(body)


def _is_error_shape(body: bytes) -> bool:
    try:
        parsed = json.loads(body)
    except ValueError:
        return False
    if not isinstance(parsed, dict):
        return False
    error = parsed.get("error")
    return (
        isinstance(parsed.get("message"), str)
        and isinstance(error, dict)
        and isinstance(error.get("code"), str)
    )


def _stream(service: str, upstream: requests.Response) -> Iterator[bytes]:
    """The upstream body in chunks; a cut-off is re-raised so the client sees a broken reply."""
    try:
        yield from upstream.iter_content(CHUNK_BYTES)
    except requests.RequestException:
        log.warning("upstream reply cut off", extra={"upstream": service})
        raise
