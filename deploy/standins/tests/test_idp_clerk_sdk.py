"""The dev IdP's Backend API through the official Clerk SDK, as ProLearn's `ClerkClient` calls it."""

from __future__ import annotations

import socket
import time
import uuid

import pytest
import requests
from clerk_backend_api.models import User

from shared.clerk import _UNMARSHALLERS, ClerkClient, ClerkRefused, ClerkUnavailable, UserNotFound
from shared.config import ClerkSettings
from standins.tests.conftest import CLERK_SECRET


def clerk_client(api_url: str, secret_key: str = CLERK_SECRET) -> ClerkClient:
    settings = ClerkSettings(
        jwt_key=None,
        jwks_url=None,
        issuer=None,
        secret_key=secret_key,
        api_url=api_url,
        authorized_parties=(),
    )
    return ClerkClient(settings)


@pytest.fixture
def clerk(base_url: str) -> ClerkClient:
    return clerk_client(f"{base_url}/idp/v1")


def new_user(base_url: str, **fields: str) -> str:
    user_id = f"user_{uuid.uuid4().hex[:16]}"
    body = {"sub": user_id, **fields}
    requests.post(f"{base_url}/idp/dev/users", json=body, timeout=5).raise_for_status()
    return user_id


def test_get_user_maps_the_sdk_user_model(base_url: str, clerk: ClerkClient) -> None:
    user_id = new_user(
        base_url, name="Ada King Lovelace", email="ada@example.test", phone="+15550100"
    )
    clerk.merge_public_metadata(user_id, {"userType": "teacher"})
    profile = clerk.get_user(user_id, fresh=True)
    assert profile.user_id == user_id
    assert (profile.first_name, profile.last_name) == ("Ada", "King Lovelace")
    assert profile.email == "ada@example.test"
    assert profile.phone == "+15550100"
    assert profile.public_metadata == {"userType": "teacher"}
    assert profile.display_name == "Ada King Lovelace"


def test_merge_public_metadata_deep_merges_and_null_removes(
    base_url: str, clerk: ClerkClient
) -> None:
    user_id = new_user(base_url)
    clerk.merge_public_metadata(
        user_id, {"userType": "student", "settings": {"email": True, "sms": False}}
    )
    merged = clerk.merge_public_metadata(user_id, {"settings": {"sms": True, "email": None}})
    assert merged.public_metadata == {"userType": "student", "settings": {"sms": True}}
    assert clerk.get_user(user_id).public_metadata == merged.public_metadata
    assert clerk.get_user(user_id, fresh=True).public_metadata == merged.public_metadata


def test_unknown_user_is_not_found(clerk: ClerkClient) -> None:
    with pytest.raises(UserNotFound):
        clerk.get_user("user_missing")
    with pytest.raises(UserNotFound):
        clerk.merge_public_metadata("user_missing", {"userType": "student"})


def test_a_wrong_secret_key_is_a_clerk_error(base_url: str) -> None:
    clerk = clerk_client(f"{base_url}/idp/v1", secret_key="sk_test_wrong")
    with pytest.raises(ClerkRefused):
        clerk.get_user(new_user(base_url))


def test_an_unreachable_clerk_fails_fast_without_sdk_retries() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    clerk = clerk_client(f"http://127.0.0.1:{port}/v1")
    started = time.monotonic()
    with pytest.raises(ClerkUnavailable):
        clerk.get_user("user_any")
    assert time.monotonic() - started < 2


def test_a_user_read_again_parses_the_same_with_the_model_built_once(
    clerk: ClerkClient, base_url: str
) -> None:
    user_id = new_user(base_url, email="again@example.test", first_name="Again")
    first = clerk.get_user(user_id, fresh=True)
    model = _UNMARSHALLERS[User]
    assert clerk.get_user(user_id, fresh=True) == first
    assert _UNMARSHALLERS[User] is model and first.email == "again@example.test"
