"""Request bodies through parse_body: a typed model or one 400 naming every bad field in the
`{message, error: {code, details}}` envelope; an identity field naming someone else is a 403."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from flask import Blueprint, Response, g
from flask.testing import FlaskClient
from pydantic import ConfigDict, Field

from shared.auth.principal import Principal
from shared.config import load_settings
from shared.web.app import build_app
from shared.web.body import Id, Items, RequestBody, field_path, parse_body
from shared.web.ids import ID_RULE
from shared.web.responses import ok


class Chapter(RequestBody):
    title: str = Field(min_length=1, max_length=20)
    free_preview: bool = False


class Lesson(RequestBody):
    model_config = ConfigDict(extra="forbid")
    INVALID: ClassVar[str] = "The lesson has invalid fields."
    IDENTITY_FIELDS: ClassVar[tuple[str, ...]] = ("userId",)

    course_id: Id
    user_id: str | None = None
    seats: int = Field(default=1, ge=1, le=10)
    chapters: Items[Chapter] = ()


@pytest.fixture
def client() -> FlaskClient:
    bp = Blueprint("lessons", __name__)

    @bp.post("/lessons")
    def add() -> Response:
        g.principal = Principal("user_me", "teacher", token="", claims={})
        return ok(parse_body(Lesson).model_dump(mode="json"))

    return build_app(load_settings("catalog", {}), [bp], {}).test_client()


def _error(client: FlaskClient, body: Any, status: int = 400) -> dict[str, Any]:
    response = client.post("/lessons", json=body)
    assert response.status_code == status, response.get_json()
    error: dict[str, Any] = response.get_json()["error"]
    return error


def test_a_good_body_parses_into_the_model_with_defaults(client: FlaskClient) -> None:
    body = {"courseId": "c1", "chapters": [{"title": "Intro", "freePreview": True}]}
    response = client.post("/lessons", json=body)
    assert response.status_code == 200
    assert response.get_json()["data"] == {
        "course_id": "c1",
        "user_id": None,
        "seats": 1,
        "chapters": [{"title": "Intro", "free_preview": True}],
    }


def test_every_bad_field_is_named_with_its_path_and_problem(client: FlaskClient) -> None:
    body = {"seats": "3", "chapters": [{"title": ""}, {"title": "x" * 21, "freePreview": 1}]}
    error = _error(client, body)
    assert error["code"] == "validation_error"
    assert error["details"] == {
        "courseId": "required",
        "seats": "must be an integer",
        "chapters[0].title": "required",
        "chapters[1].title": "must have at most 20 characters",
        "chapters[1].freePreview": "must be true or false",
    }


def test_bounds_ids_and_unknown_fields(client: FlaskClient) -> None:
    error = _error(client, {"courseId": "../x", "seats": 11, "price": 5})
    assert error["details"] == {
        "courseId": ID_RULE,
        "seats": "must be at most 10",
        "price": "is not a field you can set",
    }


def test_the_message_is_the_models(client: FlaskClient) -> None:
    response = client.post("/lessons", json={})
    assert response.get_json()["message"] == "The lesson has invalid fields."


@pytest.mark.parametrize("raw", ["[1]", '"text"', "5", "{bad", ""])
def test_anything_but_a_json_object_is_malformed(client: FlaskClient, raw: str) -> None:
    response = client.post("/lessons", data=raw, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "malformed_json"


def test_an_identity_field_naming_someone_else_is_refused_first(client: FlaskClient) -> None:
    error = _error(client, {"userId": "user_other", "seats": "many"}, status=403)
    assert error["code"] == "not_self"
    mine = client.post("/lessons", json={"userId": "user_me", "courseId": "c1"})
    assert mine.status_code == 200 and mine.get_json()["data"]["user_id"] == "user_me"


@pytest.mark.parametrize(
    ("loc", "path"),
    [(("a",), "a"), (("a", 0, "b"), "a[0].b"), ((0,), "[0]"), (("a", "b", 2), "a.b[2]"), ((), "")],
)
def test_field_paths(loc: tuple[int | str, ...], path: str) -> None:
    assert field_path(loc) == path


class Form(RequestBody):
    INVALID: ClassVar[str] = "The form is invalid."
    NON_OBJECT_IS_A_FIELD_ERROR: ClassVar[bool] = True

    name: str


def test_a_body_may_name_a_non_object_as_its_own_bad_field() -> None:
    bp = Blueprint("forms", __name__)

    @bp.post("/forms")
    def send() -> Response:
        return ok(parse_body(Form).name)

    client = build_app(load_settings("catalog", {}), [bp], {}).test_client()
    response = client.post("/forms", json=["x"])
    assert response.status_code == 400
    assert response.get_json()["message"] == "The form is invalid."
    assert response.get_json()["error"] == {
        "code": "validation_error",
        "details": {"body": "must be a JSON object"},
    }
    assert client.post("/forms", json={"name": "n"}).get_json()["data"] == "n"


class NoteBody(RequestBody):
    ABSENT_IS_EMPTY: ClassVar[bool] = True

    note: str = "none"


def test_a_body_may_read_a_bare_request_as_empty() -> None:
    bp = Blueprint("notes", __name__)

    @bp.post("/notes")
    def add() -> Response:
        return ok(parse_body(NoteBody).note)

    client = build_app(load_settings("catalog", {}), [bp], {}).test_client()
    assert client.post("/notes").get_json()["data"] == "none"
    assert client.post("/notes", json={"note": "n"}).get_json()["data"] == "n"
    sent = client.post("/notes", data="[", content_type="application/json")
    assert sent.get_json()["error"]["code"] == "malformed_json"
