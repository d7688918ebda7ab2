"""These tests read files only: no Redis or moto for them (overrides the root conftest's
session fixture of the same name, so `pytest deploy/tests` starts nothing)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def backing_services() -> dict[str, str]:
    return {}
