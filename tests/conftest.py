"""Cross-service tests: the whole system as processes (`stack`) and an HTTP client for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from devstack.pytest_plugin import stack
from devstack.stack import Stack
from shared.config import load_settings
from shared.media.store import MediaStore, media_store
from tests.helpers import Api

__all__ = ["stack"]


@pytest.fixture(scope="session")
def stack_urls(stack: Stack) -> dict[str, str]:
    return stack.urls


@pytest.fixture(scope="session")
def stack_env(stack: Stack) -> dict[str, str]:
    return stack.env


@pytest.fixture(scope="session")
def api(stack: Stack) -> Iterator[Api]:
    with requests.Session() as session:
        yield Api(stack.urls["gateway"], stack.urls["standins"], session)


@pytest.fixture(scope="session")
def stack_media(stack: Stack) -> MediaStore:
    """The stack's media bucket, to check what really is (or is no longer) stored."""
    return media_store(load_settings("catalog", stack.env))
