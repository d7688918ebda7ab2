"""Every endpoint refuses bad tokens, other users and wrong roles, and leaks no data."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization

from tests.helpers import Api, User


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def claims(sub: str) -> dict[str, Any]:
    now = int(time.time())
    return {"sub": sub, "iat": now, "nbf": now, "exp": now + 600, "userType": "student"}


def alg_none(api: Api, sub: str) -> str:
    header = b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return f"{header}.{b64(json.dumps(claims(sub)).encode())}."


def hs256_with_public_key(api: Api, sub: str) -> str:
    jwks = requests.get(f"{api.standins}/idp/.well-known/jwks.json", timeout=10).json()
    public = jwt.PyJWK(jwks["keys"][0]).key
    pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": jwks["keys"][0]["kid"]}).encode())
    payload = b64(json.dumps(claims(sub)).encode())
    import hashlib
    import hmac

    signature = hmac.new(pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64(signature)}"


BAD_TOKENS: dict[str, Callable[[Api, str], str]] = {
    "expired": lambda api, sub: api.token(sub, ttlSeconds=-60),
    "alg_none": alg_none,
    "hs256_public_key": hs256_with_public_key,
    "wrong_azp": lambda api, sub: api.token(sub, azp="https://evil.example"),
    "garbage": lambda api, sub: "not.a.jwt",
}


@pytest.fixture(scope="module")
def world(api: Api) -> dict[str, Any]:
    """A teacher with a course, a student who bought it, and one more of each."""
    teacher = api.onboard("teacher")
    course = api.published_course(teacher)
    student = api.onboard("student")
    order = api.create_order(student, course["courseId"])
    return {
        "teacher": teacher,
        "other_teacher": api.onboard("teacher"),
        "student": student,
        "other_student": api.onboard("student"),
        "course": course["courseId"],
        "order": order["order_id"],
    }


# (method, path template, owner role key, body); {me} is the owner's user id
ENDPOINTS: list[tuple[str, str, str, dict[str, Any] | None]] = [
    ("GET", "/courses/teacher", "teacher", None),
    ("POST", "/courses", "teacher", {}),
    ("PUT", "/courses/{course}", "teacher", {"title": "Hijacked"}),
    (
        "POST",
        "/courses/{course}/sections/s1/chapters/c1/get-upload-url",
        "teacher",
        {"fileName": "a.mp4", "fileType": "video/mp4"},
    ),
    ("DELETE", "/courses/{course}", "teacher", None),
    ("POST", "/api/payments/create-order", "student", {"courseId": "{course}"}),
    ("GET", "/api/payments/order-status/{me}/{order}", "student", None),
    ("GET", "/api/payments/transactions/{me}", "student", None),
    ("GET", "/users/course-progress/{me}/enrolled-courses", "student", None),
    ("GET", "/users/course-progress/{me}/courses/{course}", "student", None),
    ("PUT", "/users/course-progress/{me}/courses/{course}", "student", {"sections": []}),
    ("GET", "/teacher/analytics/courses/{course}", "teacher", None),
    ("GET", "/users/me", "student", None),
    ("POST", "/users/onboarding", "student", {"userType": "student"}),
    (
        "PUT",
        "/user/clerk/{me}",
        "student",
        {"publicMetadata": {"settings": {"emailAlerts": False}}},
    ),
]
SELF_PATHS = [e for e in ENDPOINTS if "{me}" in e[1]]


def fill(template: str, world: dict[str, Any], me: User) -> str:
    return template.format(me=me.user_id, course=world["course"], order=world["order"])


def body_for(body: dict[str, Any] | None, world: dict[str, Any]) -> dict[str, Any] | None:
    if body is None:
        return None
    return json.loads(json.dumps(body).replace("{course}", world["course"]))


def assert_refused(response: requests.Response, status: int) -> None:
    assert response.status_code == status, response.text
    payload = response.json()
    assert payload.get("data") is None and "error" in payload


@pytest.mark.parametrize(("method", "path", "role", "body"), ENDPOINTS, ids=lambda v: str(v))
def test_no_token_is_401(
    api: Api, world: dict[str, Any], method: str, path: str, role: str, body: Any
) -> None:
    response = api.call(method, fill(path, world, world[role]), json=body_for(body, world))
    assert_refused(response, 401)


@pytest.mark.parametrize("kind", sorted(BAD_TOKENS))
@pytest.mark.parametrize(("method", "path", "role", "body"), ENDPOINTS, ids=lambda v: str(v))
def test_bad_tokens_are_401(
    api: Api, world: dict[str, Any], kind: str, method: str, path: str, role: str, body: Any
) -> None:
    owner: User = world[role]
    token = BAD_TOKENS[kind](api, owner.user_id)
    response = api.call(
        method,
        fill(path, world, owner),
        headers={"Authorization": f"Bearer {token}"},
        json=body_for(body, world),
    )
    assert_refused(response, 401)


@pytest.mark.parametrize(("method", "path", "role", "body"), SELF_PATHS, ids=lambda v: str(v))
def test_another_users_path_is_403(
    api: Api, world: dict[str, Any], method: str, path: str, role: str, body: Any
) -> None:
    intruder: User = world[f"other_{role}"]
    response = api.call(
        method, fill(path, world, world[role]), intruder, json=body_for(body, world)
    )
    assert_refused(response, 403)


def test_wrong_roles_are_403(api: Api, world: dict[str, Any]) -> None:
    student, teacher = world["student"], world["teacher"]
    assert_refused(api.call("GET", "/courses/teacher", student), 403)
    assert_refused(api.call("POST", "/courses", student, json={}), 403)
    assert_refused(
        api.call("POST", "/api/payments/create-order", teacher, json={"courseId": world["course"]}),
        403,
    )


def test_only_the_owner_edits_a_course(api: Api, world: dict[str, Any]) -> None:
    response = api.call(
        "PUT", f"/courses/{world['course']}", world["other_teacher"], json={"title": "Mine now"}
    )
    assert_refused(response, 403)


def test_identity_fields_in_bodies_must_be_the_caller(api: Api, world: dict[str, Any]) -> None:
    forged = api.call(
        "POST",
        "/api/payments/create-order",
        world["other_student"],
        json={"courseId": world["course"], "userId": world["student"].user_id},
    )
    assert_refused(forged, 403)
    forged_course = api.call(
        "POST", "/courses", world["other_teacher"], json={"teacherId": world["teacher"].user_id}
    )
    assert_refused(forged_course, 403)


def test_a_role_cannot_be_set_through_settings(api: Api, world: dict[str, Any]) -> None:
    student: User = world["student"]
    response = api.call(
        "PUT",
        f"/user/clerk/{student.user_id}",
        student,
        json={"publicMetadata": {"userType": "teacher", "settings": {}}},
    )
    assert_refused(response, 400)


def test_user_without_role_may_only_onboard(api: Api) -> None:
    fresh = User("user_norole", api.token("user_norole"))
    assert_refused(api.call("GET", "/api/payments/transactions/user_norole", fresh), 403)
    assert api.call("GET", "/users/me", fresh).status_code == 200


def test_services_verify_tokens_themselves(
    api: Api, stack_urls: dict[str, str], world: dict[str, Any]
) -> None:
    """Behind the gateway, each service still refuses an unverified caller."""
    student: User = world["student"]
    forged = alg_none(api, student.user_id)
    direct = requests.get(
        f"{stack_urls['billing']}/api/payments/transactions/{student.user_id}",
        headers={"Authorization": f"Bearer {forged}"},
        timeout=10,
    )
    assert_refused(direct, 401)
    spoofed = requests.get(
        f"{stack_urls['enrollment']}/users/course-progress/{student.user_id}/enrolled-courses",
        headers={"X-User-Id": student.user_id},
        timeout=10,
    )
    assert_refused(spoofed, 401)


def test_internal_endpoints_are_not_routed(api: Api, world: dict[str, Any]) -> None:
    assert api.call("GET", f"/internal/courses/{world['course']}").status_code == 404
