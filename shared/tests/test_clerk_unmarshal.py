"""The Clerk SDK's response parsing, with its wrapper models built once per type (the round trip
through the dev IdP is in `standins/tests/test_idp_clerk_sdk.py`)."""

from __future__ import annotations

from importlib import metadata
from typing import Annotated, Any

from clerk_backend_api.models import User
from clerk_backend_api.utils import serializers

from shared import clerk
from standins.idp_users import UserStore


def test_the_sdk_parses_with_one_model_per_type() -> None:
    assert serializers.unmarshal is clerk._unmarshal
    assert serializers.unmarshal_json("[1, 2]", list[int]) == [1, 2]
    model = clerk._UNMARSHALLERS[list[int]]
    assert serializers.unmarshal_json("[3]", list[int]) == [3]
    assert clerk._UNMARSHALLERS[list[int]] is model


def test_an_unhashable_type_is_parsed_without_the_cache() -> None:
    unhashable: Any = Annotated[int, {"not": "hashable"}]
    assert clerk._unmarshal("7", unhashable) == 7


def test_the_patch_is_checked_against_the_sdk_release_it_was_read_from() -> None:
    installed = metadata.version("clerk-backend-api")
    assert installed == clerk.PATCHED_SDK_VERSION, (
        f"clerk-backend-api is {installed}: compare shared.clerk._unmarshal with the SDK's "
        "serializers.unmarshal again, then update PATCHED_SDK_VERSION"
    )


def test_a_user_parses_as_the_sdk_itself_parses_it() -> None:
    payload = UserStore().upsert("user_2abc", name="Asha Rao", email="asha@example.test")
    ours = clerk._unmarshal(payload, User)
    theirs = clerk.SDK_UNMARSHAL(payload, User)
    assert ours == theirs and ours.email_addresses[0].email_address == "asha@example.test"
