"""The gateway's own /users endpoints over Clerk: onboarding once, profile, strict settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from gateway_fakes import FakeClerk, MakeApp

Bearer = Callable[..., dict[str, str]]
SETTINGS = {
    "courseNotifications": False,
    "emailAlerts": True,
    "smsAlerts": True,
    "notificationFrequency": "weekly",
}


def _put_settings(client: FlaskClient, bearer: Bearer, body: Any, sub: str = "u1") -> Any:
    return client.put(f"/user/clerk/{sub}", headers=bearer(sub, "student"), json=body)


def test_onboarding_sets_the_role_once(
    client: FlaskClient, clerk: FakeClerk, bearer: Bearer
) -> None:
    clerk.add("u1")
    response = client.post("/users/onboarding", headers=bearer("u1"), json={"userType": "teacher"})
    assert response.status_code == 200
    assert response.get_json()["data"] == {"userId": "u1", "userType": "teacher"}
    assert clerk.users["u1"]["public_metadata"] == {"userType": "teacher"}
    again = client.post("/users/onboarding", headers=bearer("u1"), json={"userType": "student"})
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "role_already_set"
    assert clerk.users["u1"]["public_metadata"] == {"userType": "teacher"}


def test_onboarding_is_409_when_a_role_was_set_under_role(
    client: FlaskClient, clerk: FakeClerk, bearer: Bearer
) -> None:
    clerk.add("u1", {"role": "student"})
    response = client.post("/users/onboarding", headers=bearer("u1"), json={"userType": "teacher"})
    assert response.status_code == 409


NOT_ALLOWED = "is not a field you can set"


@pytest.mark.parametrize(
    ("body", "details"),
    [
        ({"userType": "admin"}, {"userType": "must be one of 'student' or 'teacher'"}),
        ({}, {"userType": "required"}),
        ({"userType": "student", "role": "teacher"}, {"role": NOT_ALLOWED}),
        (["student"], {"body": "must be a JSON object"}),
    ],
)
def test_onboarding_rejects_a_bad_body_with_details(
    client: FlaskClient, clerk: FakeClerk, bearer: Bearer, body: Any, details: dict[str, str]
) -> None:
    clerk.add("u1")
    response = client.post("/users/onboarding", headers=bearer("u1"), json=body)
    assert response.status_code == 400
    assert response.get_json()["error"]["details"] == details
    assert clerk.users["u1"]["public_metadata"] == {}


def test_onboarding_wants_json(client: FlaskClient, clerk: FakeClerk, bearer: Bearer) -> None:
    clerk.add("u1")
    response = client.post("/users/onboarding", headers=bearer("u1"), data="userType=student")
    assert response.status_code == 415


def test_me_returns_the_profile_with_default_settings(
    client: FlaskClient, clerk: FakeClerk, bearer: Bearer
) -> None:
    clerk.add("u1")
    response = client.get("/users/me", headers=bearer("u1"))
    assert response.status_code == 200
    assert response.get_json()["data"] == {
        "userId": "u1",
        "email": "u1@example.com",
        "firstName": "Asha",
        "lastName": "Rao",
        "userType": None,
        "settings": {
            "courseNotifications": True,
            "emailAlerts": True,
            "smsAlerts": False,
            "notificationFrequency": "immediate",
            "timezone": "UTC",
        },
    }


def test_me_reads_role_and_settings_from_clerk(
    client: FlaskClient, clerk: FakeClerk, bearer: Bearer
) -> None:
    clerk.add("u1", {"userType": "student", "settings": {"smsAlerts": True, "theme": "dark"}})
    data = client.get("/users/me", headers=bearer("u1", "student")).get_json()["data"]
    assert data["userType"] == "student"
    assert data["settings"]["smsAlerts"] is True
    assert data["settings"]["theme"] == "dark"
    assert data["settings"]["emailAlerts"] is True


def test_an_unknown_clerk_user_is_404(client: FlaskClient, bearer: Bearer) -> None:
    response = client.get("/users/me", headers=bearer("ghost"))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "user_not_found"


def test_clerk_down_is_503(make_client: MakeApp, dead_url: str, bearer: Bearer) -> None:
    response = make_client(CLERK_API_URL=dead_url).get("/users/me", headers=bearer("u1"))
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "clerk_unavailable"


def test_settings_update_merges_and_returns_the_new_settings(
    client: FlaskClient, clerk: FakeClerk, bearer: Bearer
) -> None:
    clerk.add("u1", {"userType": "student"})
    saved = {**SETTINGS, "theme": "dark", "timezone": "Asia/Kolkata"}
    response = _put_settings(client, bearer, {"publicMetadata": {"settings": saved}})
    assert response.status_code == 200
    assert response.get_json()["data"] == {"userId": "u1", "settings": saved}
    assert clerk.users["u1"]["public_metadata"] == {"userType": "student", "settings": saved}
    me = client.get("/users/me", headers=bearer("u1", "student")).get_json()["data"]
    assert (me["settings"]["notificationFrequency"], me["settings"]["timezone"]) == (
        "weekly",
        "Asia/Kolkata",
    )


@pytest.mark.parametrize(
    ("body", "details"),
    [
        (
            {"publicMetadata": {"userType": "teacher", "settings": SETTINGS}},
            {"publicMetadata.userType": NOT_ALLOWED},
        ),
        (
            {"publicMetadata": {"role": "teacher", "settings": SETTINGS}, "userType": "teacher"},
            {"userType": NOT_ALLOWED, "publicMetadata.role": NOT_ALLOWED},
        ),
        (
            {"publicMetadata": {"settings": {**SETTINGS, "userType": "teacher", "bio": "x"}}},
            {
                "publicMetadata.settings.userType": NOT_ALLOWED,
                "publicMetadata.settings.bio": NOT_ALLOWED,
            },
        ),
        (
            {
                "publicMetadata": {
                    "settings": {
                        "courseNotifications": "yes",
                        "emailAlerts": 1,
                        "notificationFrequency": "hourly",
                        "theme": "x" * 21,
                        "timezone": "Mars/Olympus_Mons",
                    }
                }
            },
            {
                "publicMetadata.settings.courseNotifications": "must be true or false",
                "publicMetadata.settings.emailAlerts": "must be true or false",
                "publicMetadata.settings.smsAlerts": "required",
                "publicMetadata.settings.notificationFrequency": (
                    "must be one of 'immediate', 'daily' or 'weekly'"
                ),
                "publicMetadata.settings.theme": "must have at most 20 characters",
                "publicMetadata.settings.timezone": (
                    "must be an IANA time zone such as Asia/Kolkata"
                ),
            },
        ),
        (
            {"settings": SETTINGS},
            {"settings": NOT_ALLOWED, "publicMetadata": "required"},
        ),
        ({"publicMetadata": {}}, {"publicMetadata.settings": "required"}),
    ],
    ids=["role-in-metadata", "role-at-top", "unknown-settings", "bad-values", "flat", "empty"],
)
def test_settings_update_rejects_anything_but_settings(
    client: FlaskClient, clerk: FakeClerk, bearer: Bearer, body: Any, details: dict[str, str]
) -> None:
    clerk.add("u1", {"userType": "student"})
    response = _put_settings(client, bearer, body)
    assert response.status_code == 400
    assert response.get_json()["error"]["details"] == details
    assert clerk.users["u1"]["public_metadata"] == {"userType": "student"}


@pytest.mark.parametrize("zone", ["America", "Etc", "Asia/", "../etc"])
def test_a_time_zone_that_names_a_folder_is_a_400(
    client: FlaskClient, clerk: FakeClerk, bearer: Bearer, zone: str
) -> None:
    """tzdata's folders (America, Etc) once made ZoneInfo raise IsADirectoryError: a 500."""
    clerk.add("u1", {"userType": "student"})
    body = {"publicMetadata": {"settings": {**SETTINGS, "timezone": zone}}}
    response = _put_settings(client, bearer, body)
    assert response.status_code == 400
    assert set(response.get_json()["error"]["details"]) == {"publicMetadata.settings.timezone"}
