"""Resend mail catcher: send, list, idempotency keys, and Resend's error shapes."""

from __future__ import annotations

import base64
import uuid
from typing import Any

import pytest
import requests
import resend

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
        "attachments": [],
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


@pytest.fixture
def sdk(base_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The official `resend` SDK pointed at the stand-in (it posts to `{api_url}/emails`)."""
    monkeypatch.setattr(resend, "api_key", RESEND_KEY)
    monkeypatch.setattr(resend, "api_url", f"{base_url}/resend")


@pytest.mark.usefixtures("sdk")
def test_sdk_attachments_are_listed_as_base64(base_url: str) -> None:
    to = address()
    invite = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    receipt = bytes(range(256))
    params: Any = mail(
        to,
        attachments=[
            {"filename": "session.ics", "content": list(invite), "content_type": "text/calendar"},
            {"filename": "receipt.pdf", "content": base64.b64encode(receipt).decode()},
        ],
    )
    options: Any = {"idempotency_key": f"receipt/{uuid.uuid4().hex}"}
    sent = resend.Emails.send(params, options)
    assert resend.Emails.send(params, options)["id"] == sent["id"]
    [email] = inbox(base_url, to)
    assert email["id"] == sent["id"]
    assert [(a["filename"], a["content_type"]) for a in email["attachments"]] == [
        ("session.ics", "text/calendar"),
        ("receipt.pdf", "application/pdf"),
    ]
    assert [base64.b64decode(a["content"]) for a in email["attachments"]] == [invite, receipt]


def test_a_remote_attachment_keeps_its_path(base_url: str) -> None:
    to = address()
    path = "https://cdn.prolearn.test/files/syllabus.pdf"
    assert send(base_url, mail(to, attachments=[{"path": path}])).status_code == 200
    [attachment] = inbox(base_url, to)[0]["attachments"]
    assert attachment == {
        "filename": "syllabus.pdf",
        "content_type": "application/pdf",
        "content": None,
        "path": path,
    }


@pytest.mark.parametrize(
    "attachments",
    [
        "notes.pdf",
        ["notes.pdf"],
        [{"filename": "notes.txt"}],
        [{"content": "aGk="}],
        [{"filename": "notes.txt", "content": "not base64!"}],
        [{"filename": "notes.txt", "content": [104, 256]}],
        [{"filename": "notes.txt", "content": 42}],
        [{"filename": 7, "content": "aGk="}],
        [{"filename": "notes.txt", "path": "file:///etc/passwd"}],
    ],
)
def test_a_malformed_attachment_is_422(base_url: str, attachments: Any) -> None:
    to = address()
    response = send(base_url, mail(to, attachments=attachments))
    assert response.status_code == 422
    assert response.json()["name"] == "validation_error"
    assert "attachments" in response.json()["message"]
    assert inbox(base_url, to) == []


@pytest.mark.usefixtures("sdk")
def test_the_sdk_raises_its_validation_error_for_a_malformed_attachment(base_url: str) -> None:
    to = address()
    params: Any = mail(to, attachments=[{"filename": "notes.txt", "content": "not base64!"}])
    with pytest.raises(resend.exceptions.ValidationError):
        resend.Emails.send(params, {"idempotency_key": f"notes/{uuid.uuid4().hex}"})
    assert inbox(base_url, to) == []
