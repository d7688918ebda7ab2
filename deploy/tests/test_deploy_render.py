"""deploy/render.yaml: a Render Blueprint for the same processes, secrets never committed."""

from __future__ import annotations

from typing import Any

import pytest
from deploy_manifests import (
    AWS_KEYS,
    CONSUMERS,
    CREDENTIALS,
    DEPLOY,
    PRODUCERS,
    SECRETS,
    SERVICES,
    credentials_of,
    documented_env,
    load_entrypoint,
    load_yaml,
)

from shared.config import SERVICE_PORTS

blueprint = load_yaml(DEPLOY / "render.yaml")
entrypoint = load_entrypoint()
services: dict[str, dict[str, Any]] = {s["name"]: s for s in blueprint["services"]}
groups = {g["name"]: g["envVars"] for g in blueprint["envVarGroups"]}
APP = {name: s for name, s in services.items() if s["type"] != "keyvalue"}


def command(service: dict[str, Any], field: str = "dockerCommand") -> list[str]:
    """The process a command starts: `prolearn web billing` -> ["web", "billing"]."""
    words: list[str] = service[field].split()
    assert words[0] == "prolearn"
    return words[1:]


def test_every_process_of_every_service_is_there() -> None:
    expected = {
        **{f"prolearn-{s}": ["web", s] for s in SERVICES},
        **{f"prolearn-{s}-worker": ["worker", s] for s in CONSUMERS},
        **{f"prolearn-{s}-relay": ["relay", s] for s in PRODUCERS},
    }
    assert {name: command(service) for name, service in APP.items()} == expected


@pytest.mark.parametrize("name", sorted(APP))
def test_each_runs_the_one_image_with_a_process_it_knows(name: str) -> None:
    service = APP[name]
    assert service["runtime"] == "docker"
    assert (DEPLOY.parent / service["dockerfilePath"]).resolve() == DEPLOY / "Dockerfile"
    assert service["dockerContext"] == "."
    entrypoint.process(command(service), {})
    if "preDeployCommand" in service:
        entrypoint.process(command(service, "preDeployCommand"), {})


def test_only_the_gateway_is_public_and_workers_are_background_workers() -> None:
    assert {n for n, s in APP.items() if s["type"] == "web"} == {"prolearn-gateway"}
    assert APP["prolearn-gateway"]["healthCheckPath"] == "/health"
    for name, service in APP.items():
        expected = "worker" if command(service)[0] in ("worker", "relay") else None
        if expected:
            assert service["type"] == expected, name
        elif name != "prolearn-gateway":
            assert service["type"] == "pserv", name


def test_each_service_with_a_table_creates_it_before_it_deploys() -> None:
    for service in PRODUCERS:
        assert command(APP[f"prolearn-{service}"], "preDeployCommand") == ["provision", service]


def connection(key: str, keyvalue: str) -> dict[str, Any]:
    """An environment variable holding a Key Value's connection string."""
    return {
        "key": key,
        "fromService": {"type": "keyvalue", "name": keyvalue, "property": "connectionString"},
    }


def test_the_broker_never_evicts_and_the_listing_cache_drops_old_pages() -> None:
    keyvalues = {n: s for n, s in services.items() if s["type"] == "keyvalue"}
    assert {n: s["maxmemoryPolicy"] for n, s in keyvalues.items()} == {
        "prolearn-redis": "noeviction",
        "prolearn-cache": "allkeys-lru",
    }
    assert all(s["ipAllowList"] == [] for s in keyvalues.values())
    catalog = {"prolearn-catalog", "prolearn-catalog-worker", "prolearn-catalog-relay"}
    for name, service in APP.items():
        env = service["envVars"]
        assert connection("REDIS_URL", "prolearn-redis") in env, name
        assert (connection("CACHE_REDIS_URL", "prolearn-cache") in env) == (name in catalog), name
        assert {"fromGroup": "prolearn-config"} in env and {"fromGroup": "prolearn-aws"} in env


def test_services_listen_where_the_others_look_for_them() -> None:
    config = {v["key"]: v for v in groups["prolearn-config"]}
    for service in SERVICES:
        env = {v["key"]: v for v in APP[f"prolearn-{service}"]["envVars"] if "key" in v}
        port = env["PORT"]["value"]
        assert port == str(SERVICE_PORTS[service])
        assert config[f"{service.upper()}_URL"]["value"] == f"http://prolearn-{service}:{port}"


def test_no_secret_value_is_committed() -> None:
    every = [v for group in groups.values() for v in group]
    every += [v for s in APP.values() for v in s["envVars"] if "key" in v]
    for variable in every:
        if variable["key"] in SECRETS:
            assert "value" not in variable, variable["key"]
            assert (
                variable.get("sync") is False
                or variable.get("generateValue")
                or "fromService" in variable
            )
    secrets = {name: {v["key"] for v in group} for name, group in groups.items()}
    assert secrets.pop("prolearn-config").isdisjoint(SECRETS)
    assert secrets == {
        "prolearn-aws": AWS_KEYS,
        **{f"prolearn-{credential}": names for credential, names in CREDENTIALS.items()},
    }
    assert set().union(*secrets.values()) == SECRETS - {"REDIS_URL"}
    assert groups["prolearn-internal-token"] == [
        {"key": "INTERNAL_API_TOKEN", "generateValue": True}
    ]


@pytest.mark.parametrize("name", sorted(APP))
def test_each_process_is_given_only_its_services_secret_groups(name: str) -> None:
    """Its service's credentials (SERVICE_SECRETS), the AWS keys and the settings; the
    pre-deploy `provision` needs none of them."""
    service = command(APP[name])[1]
    given = {v["fromGroup"] for v in APP[name]["envVars"] if "fromGroup" in v}
    expected = {f"prolearn-{credential}" for credential in credentials_of(service)}
    assert given == {"prolearn-config", "prolearn-aws", *expected}


def test_every_variable_set_is_a_documented_one() -> None:
    documented = set(documented_env(DEPLOY / ".env.example"))
    keys = {v["key"] for group in groups.values() for v in group}
    keys |= {v["key"] for s in APP.values() for v in s["envVars"] if "key" in v}
    assert keys <= documented
    assert {v["key"]: v.get("value") for v in groups["prolearn-config"]}["AWS_ENDPOINT_URL"] == ""
