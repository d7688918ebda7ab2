"""The course endpoints' edge, through the app against a real table: which answer a request gets
when it has several problems, bodies a client may leave out, and the internal 404."""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, g
from flask.testing import FlaskClient

from catalog.app import create_app
from catalog.bootstrap import Catalog
from catalog.domain.model import Course, new_draft
from shared.auth.principal import Principal
from shared.config import load_settings
from shared.dynamo.tables import ensure_table

TEACHER = "user_teacher"
PDF = b"%PDF-1.7\n%%EOF\n"


@pytest.fixture
def app() -> Iterator[Flask]:
    env = {**os.environ, "TABLE_PREFIX": f"t{uuid.uuid4().hex[:8]}-", "CATALOG_CACHE_SECONDS": "0"}
    flask_app = create_app(load_settings("catalog", env))
    catalog: Catalog = flask_app.extensions["catalog"]
    ensure_table(catalog.runtime.dynamodb, catalog.runtime.table)

    @flask_app.before_request
    def signed_in_teacher() -> None:
        g.principal = Principal(TEACHER, "teacher", token="", claims={})

    yield flask_app
    catalog.runtime.dynamodb.delete_table(TableName=catalog.runtime.table)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def course(app: Flask) -> Course:
    catalog: Catalog = app.extensions["catalog"]
    draft = new_draft(uuid.uuid4().hex, TEACHER, "Tina", "2026-01-01T00:00:00.000Z")
    uow = catalog.runtime.unit_of_work()
    catalog.courses.add(uow, draft)
    uow.commit()
    return draft


def refused(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_json()
    body: dict[str, Any] = response.get_json()
    assert body["error"]["code"] == code
    return body


def test_a_json_save_names_every_bad_field(client: FlaskClient, course: Course) -> None:
    body = {"title": 42, "price": 10.5, "x": 1}
    answer = refused(client.put(f"/courses/{course.course_id}", json=body), 400, "validation_error")
    assert answer["message"] == "The course has invalid fields."
    assert set(answer["error"]["details"]) == {"title", "price", "x"}
    assert answer["error"]["details"]["x"] == "is not a field you can set"


def test_a_save_of_another_course_id_or_a_repeated_id_is_named(
    client: FlaskClient, course: Course
) -> None:
    path = f"/courses/{course.course_id}"
    other = refused(client.put(path, json={"courseId": "other"}), 400, "validation_error")
    assert other["error"]["details"] == {"courseId": "cannot be changed"}
    twice = {"sections": [{"sectionId": "s1"}, {"sectionId": "s1"}]}
    assert set(
        refused(client.put(path, json=twice), 400, "validation_error")["error"]["details"]
    ) == {"sections[1].sectionId"}


def test_a_json_save_without_a_body_changes_nothing(client: FlaskClient, course: Course) -> None:
    path = f"/courses/{course.course_id}"
    saved = client.put(path, data=b"", content_type="application/json")
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["data"]["title"] == course.title
    refused(client.put(path, data=b"[1]", content_type="application/json"), 400, "malformed_json")


def test_a_form_save_checks_the_teacher_then_the_thumbnail_then_the_fields(
    client: FlaskClient, course: Course
) -> None:
    path = f"/courses/{course.course_id}"

    def form(**fields: Any) -> dict[str, Any]:
        return {"image": (io.BytesIO(PDF), "cover.png", "image/png"), **fields}

    forged = client.put(path, data=form(teacherId="user_other", price="-1"))
    refused(forged, 403, "not_self")
    not_an_image = client.put(path, data=form(price="-1"))
    assert "image" in refused(not_an_image, 415, "unsupported_media_type")["error"]["details"]
    bad_price = client.put(path, data={"price": "12.50", "image": ""})
    assert set(refused(bad_price, 400, "validation_error")["error"]["details"]) == {"price"}
    priced = client.put(path, data={"price": " 4999 ", "sections": "[]"})
    assert priced.status_code == 200, priced.get_json()
    assert priced.get_json()["data"]["price"] == 4999


def test_an_upload_request_without_a_body_names_its_fields(
    client: FlaskClient, course: Course
) -> None:
    path = f"/courses/{course.course_id}/sections/s1/chapters/c1/get-upload-url"
    answer = refused(client.post(path), 400, "validation_error")
    assert answer["message"] == "The upload request has invalid fields."
    assert set(answer["error"]["details"]) == {"fileName", "fileType"}
    pdf = client.post(path, json={"fileName": "notes.pdf", "fileType": "application/pdf"})
    details = refused(pdf, 400, "validation_error")["error"]["details"]
    assert details == {"fileType": "must be a video/* content type"}


def test_a_new_course_may_not_name_another_teacher(client: FlaskClient) -> None:
    refused(client.post("/courses", json={"teacherId": "user_other"}), 403, "not_self")
    refused(
        client.post("/courses", data=b"teacher", content_type="text/plain"), 400, "malformed_json"
    )


def test_the_internal_price_of_an_unknown_course_is_a_404(app: Flask, client: FlaskClient) -> None:
    token = app.config["SETTINGS"].internal_api_token
    response = client.get("/internal/courses/nope", headers={"X-Internal-Token": token})
    answer = refused(response, 404, "course_not_found")
    assert answer == {
        "message": "No such course.",
        "error": {"code": "course_not_found", "details": None},
    }
