"""The contact form over HTTP: each bad field named in one 400, sent once per key, and the mail
provider's failures answered as they always were."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from notifications_helpers import a_closed_port, captured

CONTACT = "/api/emails/contact"
FORM = {"name": "Ann", "email": "a@b.co", "subject": "s", "message": "long enough!"}
Web = Callable[..., FlaskClient]


def _refused(client: FlaskClient, body: Any) -> dict[str, Any]:
    response = client.post(CONTACT, json=body)
    assert response.status_code == 400, response.get_json()
    answer: dict[str, Any] = response.get_json()
    assert answer["message"] == "The contact form is invalid."
    assert answer["error"]["code"] == "validation_error"
    return dict(answer["error"]["details"])


@pytest.mark.parametrize(
    ("body", "problems"),
    [
        ({}, {"name", "email", "subject", "message"}),
        ({**FORM, "name": "A"}, {"name"}),
        ({**FORM, "name": " A  "}, {"name"}),  # measured once trimmed
        ({**FORM, "email": "not-an-email"}, {"email"}),
        ({**FORM, "message": "short"}, {"message"}),
        ({**FORM, "name": "Ann\r\nBcc: x@y.z"}, {"name"}),
        ({**FORM, "subject": "Hi\x00"}, {"subject"}),
        ({**FORM, "to": "x"}, {"to"}),
        ({**FORM, "subject": 5, "message": None}, {"subject", "message"}),
        ({"name": "F", "email": "nope", "subject": "", "message": "short"}, {*FORM}),
        ([], {"body"}),
        ("text", {"body"}),
    ],
)
def test_each_bad_field_is_named(web: Web, body: Any, problems: set[str]) -> None:
    assert set(_refused(web(), body)) == problems


def test_a_body_that_is_not_json_is_named_too(web: Web) -> None:
    response = web().post(CONTACT, data="{bad", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["details"] == {"body": "must be a JSON object"}


def test_the_message_reaches_support_trimmed_and_once_per_key(web: Web, standins: str) -> None:
    client = web(EMAIL_USER="support-trim@example.test")
    body = {**FORM, "name": "  Ann  ", "message": "  Multi-line\nmessage  "}
    first = client.post(CONTACT, json=body, headers={"Idempotency-Key": "k1"})
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["message"] == "Email sent successfully!"
    again = client.post(CONTACT, json=body, headers={"Idempotency-Key": "k1"})
    assert again.get_json()["data"]["id"] == first.get_json()["data"]["id"]
    [mail] = captured(standins, "support-trim@example.test")
    assert mail["reply_to"] == ["a@b.co"]
    assert "Ann <a@b.co> wrote" in str(mail["text"])
    assert "Multi-line\nmessage\n" in str(mail["text"])


def test_without_a_key_each_post_is_a_new_mail(web: Web, standins: str) -> None:
    client = web(EMAIL_USER="support-nokey@example.test")
    ids = {client.post(CONTACT, json=FORM).get_json()["data"]["id"] for _ in range(2)}
    assert len(ids) == 2
    assert len(captured(standins, "support-nokey@example.test")) == 2


def test_a_refused_mail_is_a_502_and_an_unreachable_provider_a_503(web: Web) -> None:
    refused = web(EMAIL_USER="broken@@example").post(CONTACT, json=FORM)
    assert refused.status_code == 502
    assert refused.get_json()["error"] == {"code": "mail_rejected", "details": None}
    assert refused.get_json()["message"] == "The mail provider refused the message."
    down = web(RESEND_API_URL=a_closed_port()).post(CONTACT, json=FORM)
    assert down.status_code == 503
    assert down.get_json() == {
        "message": "Mail could not be sent; try again.",
        "error": {"code": "mail_unavailable", "details": None},
    }
