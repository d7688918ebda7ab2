"""Fixtures: the stand-in app and a webhook receiver, each served over real HTTP in a thread."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask, Response, request
from werkzeug.serving import BaseWSGIServer, make_server

from standins.app import create_app
from standins.config import StandinConfig

CLIENT_ID = "TEST_CLIENT"
CLIENT_SECRET = "TEST_SECRET"
CLERK_SECRET = "sk_test_conformance"
RESEND_KEY = "re_test_conformance"
RETRY_SECONDS = (0.2, 0.4)


def _serve(app: Flask) -> tuple[BaseWSGIServer, str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


@dataclass
class ReceivedWebhook:
    """One POST the receiver got: the exact bytes and the headers."""

    raw: bytes
    headers: dict[str, str]

    @property
    def text(self) -> str:
        return self.raw.decode()


@dataclass
class WebhookReceiver:
    """Records webhooks per hook name; can answer 500 to the next N posts of a hook."""

    base_url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)
    received: dict[str, list[ReceivedWebhook]] = field(default_factory=dict)
    failures_left: dict[str, int] = field(default_factory=dict)

    def url(self, hook: str) -> str:
        return f"{self.base_url}/hooks/{hook}"

    def fail_next(self, hook: str, times: int) -> None:
        with self.lock:
            self.failures_left[hook] = times

    def hits(self, hook: str) -> list[ReceivedWebhook]:
        with self.lock:
            return list(self.received.get(hook, []))

    def wait_for(self, hook: str, count: int, timeout: float = 5.0) -> list[ReceivedWebhook]:
        wait_until(lambda: len(self.hits(hook)) >= count, timeout)
        return self.hits(hook)

    def record(self, hook: str) -> int:
        with self.lock:
            self.received.setdefault(hook, []).append(
                ReceivedWebhook(request.get_data(), dict(request.headers))
            )
            if self.failures_left.get(hook, 0) > 0:
                self.failures_left[hook] -= 1
                return 500
            return 200


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll until `condition` holds; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("condition not met in time")
        time.sleep(0.02)


@pytest.fixture(scope="session")
def receiver() -> Iterator[WebhookReceiver]:
    hooks = WebhookReceiver()
    app = Flask("webhook_receiver")

    @app.post("/hooks/<hook>")
    def receive(hook: str) -> Response:
        return Response("ok", status=hooks.record(hook))

    server, hooks.base_url = _serve(app)
    yield hooks
    server.shutdown()


@pytest.fixture(scope="session")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("idp") / "signing-key.pem"


@pytest.fixture(scope="session")
def standin(receiver: WebhookReceiver, key_file: Path) -> Iterator[tuple[str, StandinConfig]]:
    server = make_server("127.0.0.1", 0, Flask("placeholder"), threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    config = StandinConfig(
        public_url=base_url,
        client_urls=("http://localhost:3000", "https://app.prolearn.test"),
        clerk_secret_key=CLERK_SECRET,
        idp_private_key_file=str(key_file),
        cashfree_client_id=CLIENT_ID,
        cashfree_client_secret=CLIENT_SECRET,
        cashfree_webhook_url=receiver.url("default"),
        cashfree_retry_seconds=RETRY_SECONDS,
        resend_api_key=RESEND_KEY,
    )
    server.app = create_app(config)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield base_url, config
    server.shutdown()


@pytest.fixture(scope="session")
def base_url(standin: tuple[str, StandinConfig]) -> str:
    return standin[0]


@pytest.fixture(scope="session")
def config(standin: tuple[str, StandinConfig]) -> StandinConfig:
    return standin[1]


@dataclass
class CashfreeClient:
    """A minimal Cashfree API client for the tests, with the sandbox credentials."""

    base_url: str
    receiver: WebhookReceiver

    @property
    def headers(self) -> dict[str, str]:
        return {
            "x-api-version": "2023-08-01",
            "x-client-id": CLIENT_ID,
            "x-client-secret": CLIENT_SECRET,
        }

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return requests.request(
            method, f"{self.base_url}/pg{path}", headers=headers, timeout=10, **kwargs
        )

    def order_body(self, amount: float = 499, **overrides: Any) -> dict[str, Any]:
        order_id = overrides.pop("order_id", f"order_{uuid.uuid4().hex[:20]}")
        return {
            "order_id": order_id,
            "order_amount": amount,
            "order_currency": "INR",
            "customer_details": {"customer_id": "user_42", "customer_phone": "9876543210"},
            "order_meta": {"notify_url": self.receiver.url(order_id)},
            **overrides,
        }

    def create_order(self, amount: float = 499, **overrides: Any) -> dict[str, Any]:
        response = self.call("POST", "/orders", json=self.order_body(amount, **overrides))
        assert response.status_code == 200, response.text
        order: dict[str, Any] = response.json()
        return order

    def sim(self, path: str, body: dict[str, Any] | None = None) -> requests.Response:
        return requests.post(f"{self.base_url}/pg/sim{path}", json=body or {}, timeout=30)

    def pay(self, order_id: str, outcome: str = "SUCCESS", deliver: bool = True) -> dict[str, Any]:
        response = self.sim(f"/orders/{order_id}/pay", {"outcome": outcome, "deliver": deliver})
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result


@pytest.fixture
def cashfree(base_url: str, receiver: WebhookReceiver) -> CashfreeClient:
    return CashfreeClient(base_url, receiver)
