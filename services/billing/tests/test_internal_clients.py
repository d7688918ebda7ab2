"""Billing's catalog and enrollment clients over HTTP: they read the internal answers by the
models the servers build them with, and an answer that does not fit is the dependency failing,
as any status but 200 is."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import ValidationError
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from billing.adapters.catalog_client import CatalogClient
from billing.adapters.enrollment_client import EnrollmentClient
from billing.errors import DependencyUnavailable
from shared.api.internal import CoursePlayback, PricedCourse, Standing

TOKEN = "internal-token"
PRICE = {
    "courseId": "c1",
    "title": "Rust — déjà vu",
    "teacherId": "t1",
    "status": "Published",
    "price": 49900,
    "currency": "INR",
}
PLAYBACK = {
    "courseId": "c1",
    "userId": "u1",
    "paidVideoChapterIds": ["m5", "z9"],
    "issuedChapterIds": ["a1", "m5"],
}
STANDING = {
    "userId": "u1",
    "courseId": "c1",
    "enrolled": True,
    "orderId": "o1",
    "overallProgress": 25,
    "issuedChapterIds": ["v2", "v9"],
}


@dataclass
class Canned:
    """What the stand-in service answers next, and the paths it was asked for."""

    status: int = 200
    body: bytes = b""
    asked: tuple[str, ...] = ()

    def answer(self, data: Any, status: int = 200) -> None:
        self.status = status
        self.body = json.dumps({"message": "OK", "data": data}).encode()


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, Canned]]:
    canned = Canned()

    @Request.application
    def app(request: Request) -> Response:
        if request.headers.get("X-Internal-Token") != TOKEN:
            return Response(b"{}", 401, content_type="application/json")
        canned.asked = (*canned.asked, request.path)
        return Response(canned.body, canned.status, content_type="application/json")

    http = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{http.server_port}", canned
    http.shutdown()


@pytest.fixture
def canned(server: tuple[str, Canned]) -> Canned:
    server[1].asked = ()
    return server[1]


@pytest.fixture
def catalog(server: tuple[str, Canned]) -> CatalogClient:
    return CatalogClient(server[0], TOKEN)


@pytest.fixture
def enrollment(server: tuple[str, Canned]) -> EnrollmentClient:
    return EnrollmentClient(server[0], TOKEN)


def test_a_price_is_read_by_its_wire_names(catalog: CatalogClient, canned: Canned) -> None:
    canned.answer(PRICE)
    assert catalog.priced_course("c1") == PricedCourse(
        course_id="c1",
        title="Rust — déjà vu",
        teacher_id="t1",
        status="Published",
        price=49900,
        currency="INR",
    )
    assert canned.asked == ("/internal/courses/c1",)


def test_playback_is_read_as_sets_of_chapters(catalog: CatalogClient, canned: Canned) -> None:
    canned.answer(PLAYBACK)
    played = catalog.course_playback("c1", "u1")
    assert (played.paid_video_chapter_ids, played.issued_chapter_ids) == (
        frozenset({"m5", "z9"}),
        frozenset({"a1", "m5"}),
    )
    assert played.wire() == PLAYBACK
    assert canned.asked == ("/internal/courses/c1/playback/u1",)


def test_a_course_catalog_no_longer_has_played_nothing(
    catalog: CatalogClient, canned: Canned
) -> None:
    canned.status = 404
    canned.body = json.dumps(
        {"message": "No such course.", "error": {"code": "course_not_found"}}
    ).encode()
    assert catalog.course_playback("c1", "u1") == CoursePlayback(
        course_id="c1",
        user_id="u1",
        paid_video_chapter_ids=frozenset(),
        issued_chapter_ids=frozenset(),
    )


def test_a_standing_is_read_by_its_wire_names(enrollment: EnrollmentClient, canned: Canned) -> None:
    canned.answer(STANDING)
    standing = enrollment.standing("u1", "c1")
    assert standing == Standing(
        user_id="u1",
        course_id="c1",
        enrolled=True,
        order_id="o1",
        overall_progress=25,
        issued_chapter_ids=frozenset({"v2", "v9"}),
    )
    assert canned.asked == ("/internal/progress/u1/c1",)


@pytest.mark.parametrize("issued", [{}, {"issuedChapterIds": None}], ids=["absent", "null"])
def test_an_enrollment_that_names_no_issued_chapters_issued_none(
    enrollment: EnrollmentClient, canned: Canned, issued: dict[str, Any]
) -> None:
    """Enrollment before the issued-share rule left `issuedChapterIds` out."""
    older = {k: v for k, v in STANDING.items() if k != "issuedChapterIds"}
    canned.answer({**older, **issued, "orderId": None, "enrolled": False})
    standing = enrollment.standing("u1", "c1")
    assert (standing.order_id, standing.issued_chapter_ids) == (None, frozenset())


def misfits(wire: dict[str, Any], field: str) -> list[Any]:
    """Answers that do not fit: the field missing, of the wrong type, in snake_case, no data."""
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in field)
    without = {k: v for k, v in wire.items() if k != field}
    return [without, {**wire, field: {"nested": 1}}, {**without, snake: wire[field]}, None, []]


CALLS: dict[str, tuple[Callable[[CatalogClient, EnrollmentClient], object], dict[str, Any]]] = {
    "price": (lambda catalog, _: catalog.priced_course("c1"), PRICE),
    "playback": (lambda catalog, _: catalog.course_playback("c1", "u1"), PLAYBACK),
    "standing": (lambda _, enrollment: enrollment.standing("u1", "c1"), STANDING),
}
FIELDS = {"price": "teacherId", "playback": "paidVideoChapterIds", "standing": "overallProgress"}


def failure(call: Callable[[], object]) -> DependencyUnavailable:
    with pytest.raises(DependencyUnavailable) as caught:
        call()
    return caught.value


@pytest.mark.parametrize("name", list(CALLS))
def test_an_answer_that_does_not_fit_fails_as_a_non_200_does(
    name: str, catalog: CatalogClient, enrollment: EnrollmentClient, canned: Canned
) -> None:
    ask, wire = CALLS[name]
    canned.answer(wire, status=500)
    refused = failure(lambda: ask(catalog, enrollment))
    for misfit in misfits(wire, FIELDS[name]):
        canned.answer(misfit)
        unfit = failure(lambda: ask(catalog, enrollment))
        assert (unfit.code, str(unfit)) == (refused.code, str(refused)), misfit
        assert isinstance(unfit.__cause__, ValidationError), misfit
    canned.status, canned.body = 200, b"<html>not json</html>"
    not_json = failure(lambda: ask(catalog, enrollment))
    assert (not_json.code, str(not_json)) == (refused.code, str(refused))
