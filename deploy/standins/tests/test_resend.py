"""Resend mail catcher: send, list, idempotency keys, and Resend's error shapes."""

from __future__ import annotations

import uuid
from typing import Any

import requests

from standins.tests.conftest import RESEND_KEY

AUTH = {"Authorization": f"Bearer {RESEND_KEY}"}


def mail(to: str | list[str], **overrides: Any) -> dict[str, Any]:
    return {
        "from": "ProLearn <no-reply@prolearn.test>",
        "to": to,
        "subject": "Welcome",
        "html": "<p>Hello</p>",
        **overrides,
    }


def send(base_url: str, body: Any, headers: dict[str, str] | None = None) -> requests.Response:
    return requests.post(
        f"{base_url}/resend/emails", json=body, headers={**AUTH, **(headers or {})}, timeout=5
    )


def inbox(base_url: str, to: str) -> list[dict[str, Any]]:
    response = requests.get(f"{base_url}/resend/emails", params={"to": to}, timeout=5)
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def address() -> str:
    return f"learner-{uuid.uuid4().hex[:8]}@example.test"


def test_send_and_list_newest_first(base_url: str) -> None:
    to = address()
    first = send(base_url, mail(to, subject="First", reply_to="help@prolearn.test"))
    second = send(base_url, mail([f"Learner <{to}>", address()], subject="Second", text="Hi"))
    assert first.status_code == second.status_code == 200
    assert uuid.UUID(first.json()["id"])
    listed = inbox(base_url, to)
    assert [email["subject"] for email in listed] == ["Second", "First"]
    assert listed[1] == {
        "id": first.json()["id"],
        "from": "ProLearn <no-reply@prolearn.test>",
        "to": [to],
        "subject": "First",
        "html": "<p>Hello</p>",
        "text": None,
        "reply_to": ["help@prolearn.test"],
        "headers": None,
        "created_at": listed[1]["created_at"],
    }
    assert listed[0]["text"] == "Hi"


def test_wrong_or_missing_api_key_is_401(base_url: str) -> None:
    for headers in ({"Authorization": "Bearer re_wrong"}, {"Authorization": ""}):
        response = send(base_url, mail(address()), headers)
        assert response.status_code == 401
        assert response.json() == {
            "statusCode": 401,
            "message": "API key is invalid",
            "name": "validation_error",
        }


def test_invalid_mail_is_422(base_url: str) -> None:
    cases = [
        (mail(address(), subject=None), "missing_required_field"),
        ({"from": "a@b.test", "to": address(), "subject": "s"}, "missing_required_field"),
        (mail([]), "missing_required_field"),
        (mail(address(), **{"from": "not an address"}), "validation_error"),
        (mail(["ok@example.test", "broken"]), "validation_error"),
    ]
    for body, name in cases:
        response = send(base_url, body)
        assert response.status_code == 422, body
        assert response.json()["statusCode"] == 422
        assert response.json()["name"] == name
        assert response.json()["message"]


def test_idempotency_key_dedupes_and_rejects_a_different_payload(base_url: str) -> None:
    to = address()
    key = {"Idempotency-Key": f"welcome/{uuid.uuid4().hex}"}
    first = send(base_url, mail(to), key)
    repeat = send(base_url, mail(to), key)
    assert first.json() == repeat.json()
    assert len(inbox(base_url, to)) == 1
    conflict = send(base_url, mail(to, subject="Other"), key)
    assert conflict.status_code == 409
    assert conflict.json()["name"] == "invalid_idempotent_request"
    assert conflict.json()["statusCode"] == 409


def test_delete_clears_the_mailbox(base_url: str) -> None:
    to = address()
    send(base_url, mail(to))
    assert requests.delete(f"{base_url}/resend/emails", timeout=5).status_code == 200
    assert inbox(base_url, to) == []
