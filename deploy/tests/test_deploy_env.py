"""deploy/.env.example documents every environment variable the code reads, at its true default."""

from __future__ import annotations

import dataclasses
import re

import pytest
from deploy_manifests import (
    DEPLOY,
    ENV_COPIERS,
    ENV_READERS,
    REPO,
    SECRETS,
    SERVICES,
    documented_env,
    env_reads,
    load_yaml,
)

from devstack.stack import EXTERNAL_URL_NAMES, StackSettings
from shared.config import load_settings
from standins.config import StandinConfig

EXAMPLE = DEPLOY / ".env.example"
DOCUMENTED = documented_env(EXAMPLE)
READ_BY_LIBRARIES = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
"""Read by boto3, not by our code, and still needed to reach AWS (or moto)."""


def read_by_code() -> set[str]:
    return set().union(*(env_reads(path) for path in ENV_READERS))


def defaults() -> dict[str, str]:
    """The documented values, unquoted, as a process would receive them."""
    return {name: value.strip('"') for name, (value, _comment) in DOCUMENTED.items()}


def test_every_variable_the_code_reads_is_documented() -> None:
    undocumented = read_by_code() - set(DOCUMENTED)
    assert not undocumented, f"add these to deploy/.env.example: {sorted(undocumented)}"


def test_nothing_documented_is_read_by_nobody() -> None:
    assert set(DOCUMENTED) - read_by_code() == READ_BY_LIBRARIES


def test_the_reader_list_is_complete() -> None:
    """A module that starts reading os.environ must join ENV_READERS (or read nothing by name)."""
    sources = [REPO / "shared", REPO / "services", REPO / "bench", DEPLOY]
    using = {
        path
        for root in sources
        for path in root.rglob("*.py")
        if "tests" not in path.parts and re.search(r"os\.environ|getenv", path.read_text())
    }
    assert using == {*ENV_READERS, *ENV_COPIERS}


def test_every_entry_has_a_comment_and_secrets_say_so() -> None:
    for name, (_value, comment) in DOCUMENTED.items():
        assert comment, f"{name} has no comment line above it"
        assert comment.startswith("[secret]") == (name in SECRETS), name


def test_every_entry_is_commented_out_so_a_copy_changes_nothing() -> None:
    for line in EXAMPLE.read_text().splitlines():
        assert not re.match(r"^[A-Z][A-Z0-9_]*=", line), line


@pytest.mark.parametrize("service", SERVICES)
def test_the_documented_values_are_the_services_defaults(service: str) -> None:
    documented = dataclasses.replace(load_settings(service, defaults()), extra={})
    assert documented == dataclasses.replace(load_settings(service, {}), extra={})


def test_the_documented_values_are_the_stand_ins_and_devstacks_defaults() -> None:
    assert StandinConfig.from_env(defaults()) == StandinConfig()
    stack = StackSettings.from_env(defaults())
    assert dataclasses.replace(stack, extra_env={}) == StackSettings.from_env({})
    wired = StackSettings().environment({})
    assert stack.extra_env == {name: wired[name] for name in EXTERNAL_URL_NAMES}


def test_compose_sets_only_documented_variables() -> None:
    compose = load_yaml(DEPLOY / "docker-compose.yml")
    for name, service in compose["services"].items():
        assert set(service.get("environment", {})) <= set(DOCUMENTED), name
