"""The contact form's answer keeps its shape, now that it is shared/api/contact.py's model."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from shared.api.contact import SentMessage

FORM = {"name": "Zoë", "email": "z@b.co", "subject": "Hi", "message": "Hello there, ünïcødé!"}


def test_the_answer_is_the_mail_providers_id_alone(web: Callable[..., FlaskClient]) -> None:
    response = web(EMAIL_USER="support-views@example.test").post("/api/emails/contact", json=FORM)
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert list(answer) == ["message", "data"]
    assert answer["message"] == "Email sent successfully!"
    assert list(answer["data"]) == ["id"]
    assert isinstance(answer["data"]["id"], str) and answer["data"]["id"]


def test_the_model_answers_the_id_as_given() -> None:
    assert SentMessage(id="re_✓").wire() == {"id": "re_✓"}
