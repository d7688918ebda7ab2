"""Each test session: Redis and moto answer (started if not), and os.environ points at them."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from devstack.backing import ensure_backing
from devstack.processes import ProcessGroup
from devstack.stack import StackSettings


@pytest.fixture(scope="session", autouse=True)
def backing_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """REDIS_URL, AWS_ENDPOINT_URL and (for a local endpoint) dummy AWS credentials, exported."""
    settings = StackSettings.from_env()
    logs = tmp_path_factory.mktemp("backing") / "logs"
    with ProcessGroup(logs) as group, pytest.MonkeyPatch.context() as patch:
        env = ensure_backing(settings.redis_url, settings.aws_endpoint_url, group, os.environ)
        for name, value in env.items():
            patch.setenv(name, value)
        yield env
