"""A kept-alive connection the server drops as it is reused: a safe call is tried once more on a
new connection, a write only when the caller keys its writes; a read timeout is never retried."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from shared.http import new_session
from shared.tests.dropping_server import DroppingServer


@pytest.fixture
def server() -> Iterator[DroppingServer]:
    found = DroppingServer()
    yield found
    found.close()


def test_a_safe_call_on_a_dropped_connection_is_tried_once_more(server: DroppingServer) -> None:
    session, url = new_session(), f"http://127.0.0.1:{server.port}/x"
    assert session.get(url, timeout=5).text == "ok"
    assert session.get(url, timeout=5).text == "ok"  # the reused connection dropped; retried
    assert (server.connections, server.requests) == (2, 3)


def test_a_write_is_not_repeated_unless_the_caller_keys_its_writes(server: DroppingServer) -> None:
    url = f"http://127.0.0.1:{server.port}/x"
    plain = new_session()
    plain.post(url, json={}, timeout=5)
    with pytest.raises(requests.ConnectionError):
        plain.post(url, json={}, timeout=5)
    keyed = new_session(retry_writes=True)
    keyed.post(url, json={}, timeout=5)
    assert keyed.post(url, json={}, timeout=5).text == "ok"


def test_a_read_timeout_is_not_retried() -> None:
    stalling = DroppingServer(stall=True)
    try:
        with pytest.raises(requests.ReadTimeout):
            new_session().get(f"http://127.0.0.1:{stalling.port}/x", timeout=(1, 0.3))
        assert stalling.requests == 1
    finally:
        stalling.close()
