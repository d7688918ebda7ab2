"""deploy/docker-compose.yml: valid Compose, every process of every service, one image."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from check_jsonschema import main as check_jsonschema
from click.testing import CliRunner
from deploy_manifests import (
    CACHE_REDIS,
    CONSUMERS,
    DEPLOY,
    PRODUCERS,
    SERVICES,
    credentials_of,
    load_entrypoint,
    load_yaml,
    redis_options,
)

COMPOSE = DEPLOY / "docker-compose.yml"
SCHEMA = DEPLOY / "schemas" / "compose-spec.json"
compose = load_yaml(COMPOSE)
services: dict[str, Any] = compose["services"]
entrypoint = load_entrypoint()
APP = {name for name, service in services.items() if service.get("image") == "prolearn:local"}


def schema_errors(path: Path) -> str | None:
    result = CliRunner().invoke(check_jsonschema, ["--schemafile", str(SCHEMA), str(path)])
    return None if result.exit_code == 0 else result.output


def test_the_compose_file_matches_the_compose_specification() -> None:
    assert schema_errors(COMPOSE) is None


def test_the_schema_check_catches_a_broken_file(tmp_path: Path) -> None:
    broken = dict(compose, services={**services, "redis": {**services["redis"], "port": [1]}})
    path = tmp_path / "docker-compose.yml"
    path.write_text(yaml.safe_dump(broken))
    assert schema_errors(path)


def test_every_service_runs_its_web_worker_and_relay() -> None:
    commands = {name: services[name].get("command") for name in APP}
    assert {name: commands[name] for name in SERVICES} == {s: ["web", s] for s in SERVICES}
    for service in CONSUMERS:
        assert commands[f"{service}-worker"] == ["worker", service]
    for service in PRODUCERS:
        assert commands[f"{service}-relay"] == ["relay", service]
    expected = {*SERVICES, *(f"{s}-worker" for s in CONSUMERS), *(f"{s}-relay" for s in PRODUCERS)}
    assert APP - expected == {"aws", "provision", "standins"}


@pytest.mark.parametrize("name", sorted(APP))
def test_each_process_is_one_the_image_knows(name: str) -> None:
    command = services[name]["command"]
    assert command[0] in entrypoint.PROCESSES
    entrypoint.process(command, {})


def test_one_image_built_from_the_dockerfile() -> None:
    for name in APP:
        build = services[name]["build"]
        assert (COMPOSE.parent / build["context"] / build["dockerfile"]).resolve() == (
            DEPLOY / "Dockerfile"
        )


def test_the_broker_redis_keeps_its_queues() -> None:
    assert redis_options(services["redis"]["command"]) == {
        "appendonly": "yes",
        "appendfsync": "everysec",
        "maxmemory-policy": "noeviction",
    }
    assert any(volume.endswith(":/data") for volume in services["redis"]["volumes"])


def test_the_listing_cache_redis_is_bounded_and_only_catalog_uses_it() -> None:
    cache = services["cache-redis"]
    assert redis_options(cache["command"]) == CACHE_REDIS
    assert "volumes" not in cache and "ports" not in cache
    catalog = {name for name in APP if name.partition("-")[0] == "catalog"}
    assert catalog == {"catalog", "catalog-worker", "catalog-relay"}
    for name in APP:
        environment = services[name]["environment"]
        if name in catalog:
            assert (
                environment["CACHE_REDIS_URL"] == "${CACHE_REDIS_URL:-redis://cache-redis:6379/0}"
            )
            assert services[name]["depends_on"]["cache-redis"] == {"condition": "service_healthy"}
        else:
            assert "CACHE_REDIS_URL" not in environment, name


def test_aws_is_the_emulator_and_provision_runs_once_before_every_service() -> None:
    assert services["aws"]["command"] == ["emulator"]
    assert services["provision"]["restart"] == "no"
    assert services["provision"]["depends_on"] == {"aws": {"condition": "service_healthy"}}
    for name in APP - {"aws", "provision", "standins"}:
        depends = services[name]["depends_on"]
        assert depends["provision"] == {"condition": "service_completed_successfully"}
        assert depends["redis"] == {"condition": "service_healthy"}


def test_the_stand_ins_are_behind_a_profile_and_nothing_requires_them() -> None:
    assert services["standins"]["profiles"] == ["standins"]
    for name, service in services.items():
        assert "standins" not in service.get("depends_on", {}), name
        if name != "standins":
            assert "profiles" not in service, name


@pytest.mark.parametrize("name", SERVICES)
def test_web_processes_are_health_checked_on_health(name: str) -> None:
    assert services[name]["healthcheck"]["test"] == ["CMD", "prolearn", "probe", "web", name]
    assert entrypoint.probe_url(["web", name], {}).endswith("/health")


@pytest.mark.parametrize("service", CONSUMERS)
def test_workers_restart_when_they_exit_and_are_health_checked_on_live(service: str) -> None:
    worker = services[f"{service}-worker"]
    assert worker["restart"] == "unless-stopped"
    assert worker["healthcheck"]["test"] == ["CMD", "prolearn", "probe", "worker", service]
    assert entrypoint.probe_url(["worker", service], {}) == "http://127.0.0.1:9100/live"


def test_configuration_is_environment_only() -> None:
    for name in APP:
        service = services[name]
        assert service["env_file"][0] == {"path": ".env", "required": False}, name
        assert "volumes" not in service and "configs" not in service, name
    environment = services["gateway"]["environment"]
    for service in SERVICES:
        assert (
            environment[f"{service.upper()}_URL"]
            == f"http://{service}:{entrypoint.SERVICE_PORTS[service]}"
        )
    assert environment["REDIS_URL"] == "${REDIS_URL:-redis://redis:6379/0}"
    # `-` not `:-`: an empty AWS_ENDPOINT_URL in .env must reach the processes (real AWS).
    assert environment["AWS_ENDPOINT_URL"] == "${AWS_ENDPOINT_URL-http://aws:5055}"


def secret_owner(name: str) -> str:
    """The service whose secrets a compose process is given (`provision` and the emulator hold
    none)."""
    command = services[name]["command"]
    return command[1] if command[0] in ("web", "worker", "relay") else "provision"


@pytest.mark.parametrize("name", sorted(APP - {"standins"}))
def test_each_process_reads_only_its_services_secret_files(name: str) -> None:
    """`.env` (settings, AWS keys), then one file per credential its service holds; a file of
    an optional secret may be missing."""
    files = {entry["path"]: entry.get("required", True) for entry in services[name]["env_file"][1:]}
    expected = {
        f"secrets/{credential}.env": required
        for credential, required in credentials_of(secret_owner(name)).items()
    }
    assert files == expected


def test_the_stand_ins_read_the_keys_they_check() -> None:
    files = [entry["path"] for entry in services["standins"]["env_file"][1:]]
    assert files == ["secrets/clerk.env", "secrets/cashfree.env", "secrets/resend.env"]


def host_ip(port: str | dict[str, Any]) -> str | None:
    """The host address a port mapping binds (None: every interface)."""
    if isinstance(port, dict):
        return port.get("host_ip")
    parts = str(port).rsplit(":", 2)
    return parts[0] if len(parts) == 3 else None


def test_only_the_gateway_is_published_the_rest_on_loopback_or_not_at_all() -> None:
    assert [host_ip(port) for port in services["gateway"]["ports"]] == [None]
    published = {name for name, service in services.items() if "ports" in service}
    assert published == {"gateway", "standins", "aws"}
    for name in published - {"gateway"}:
        assert {host_ip(port) for port in services[name]["ports"]} == {"127.0.0.1"}, name


def test_a_port_mapping_is_read_with_its_host_address() -> None:
    assert host_ip("8080:8080") is None and host_ip("8080") is None
    assert host_ip("127.0.0.1:5055:5055") == "127.0.0.1"
    assert host_ip({"target": 80, "published": "80", "host_ip": "0.0.0.0"}) == "0.0.0.0"
